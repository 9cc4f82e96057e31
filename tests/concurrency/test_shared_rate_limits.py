"""A principal's query budget is one budget however many processes serve it."""

from __future__ import annotations

import asyncio

import pytest

from api.db import Database
from api.ratelimits import SharedBuckets


@pytest.mark.postgresql
async def test_two_processes_charging_one_principal_share_one_bucket(
    pg_database: Database, pg_database_url: str
) -> None:
    other = Database(pg_database_url, pool_size=10)  # another process's engine and connections
    try:
        buckets = [SharedBuckets(pg_database), SharedBuckets(other)]
        # 1 point per second holds 10: forty concurrent charges of 1 point, split across the
        # two, admit ten (the bucket drains by well under a point while they run).
        charges = await asyncio.gather(
            *(buckets[n % 2].charge("api_key:7", 1, 1) for n in range(40))
        )
        assert sum(charge.allowed for charge in charges) == 10
        refused = [charge for charge in charges if not charge.allowed]
        assert all(charge.left == 0 and 0 < charge.wait <= 1 for charge in refused)
        assert (await buckets[1].charge("api_key:8", 10, 1)).allowed, "its own bucket"
    finally:
        await other.dispose()
