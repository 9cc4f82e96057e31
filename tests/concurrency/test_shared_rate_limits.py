"""A principal's query budget is one budget however many processes serve it."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from api import ratelimits
from api.db import Database
from api.ratelimits import Budget, LocalBuckets, SharedBuckets


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
            *(buckets[n % 2].charge("api_key:7", 1, Budget.per_second(1)) for n in range(40))
        )
        assert sum(charge.allowed for charge in charges) == 10
        refused = [charge for charge in charges if not charge.allowed]
        assert all(charge.left == 0 and 0 < charge.wait <= 1 for charge in refused)
        assert (await buckets[1].charge("api_key:8", 10, Budget.per_second(1))).allowed
        await buckets[0].refund("api_key:7", 4, Budget.per_second(1))
        assert (await buckets[1].charge("api_key:7", 4, Budget.per_second(1))).allowed
    finally:
        await other.dispose()


@pytest.mark.postgresql
async def test_a_charge_that_began_before_the_one_it_queued_behind_never_overfills(
    pg_database: Database,
) -> None:
    budget = Budget.per_second(1)
    async with pg_database.engine.connect() as early, early.begin():
        await early.execute(text("SELECT now()"))  # its statements' now() is from here
        await asyncio.sleep(0.2)
        assert (await SharedBuckets(pg_database).charge("api_key:9", 10, budget)).allowed
        parameters = {"who": "api_key:9", "cost": 1.0, "rate": 1.0, "capacity": budget.capacity}
        allowed, level = (await early.execute(ratelimits._CHARGE, parameters)).one()
    assert not allowed and level <= budget.capacity


@pytest.mark.postgresql
async def test_buckets_left_alone_are_forgotten(
    pg_database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ratelimits, "PRUNE_EVERY_SECONDS", 0.0)
    buckets = SharedBuckets(pg_database, idle_seconds=3600)
    await buckets.charge("address:198.51.100.1", 1, Budget.per_second(1))
    async with pg_database.reader() as connection:
        await connection.execute(
            text("UPDATE rate_limit_bucket SET updated_at = now() - interval '2 hours'")
        )
    await buckets.charge("address:198.51.100.2", 1, Budget.per_second(1))
    async with pg_database.reader() as connection:
        left = (await connection.execute(text("SELECT principal FROM rate_limit_bucket"))).all()
    assert left == [("address:198.51.100.2",)]


async def test_local_buckets_left_alone_are_forgotten() -> None:
    now = [0.0]
    buckets = LocalBuckets(clock=lambda: now[0], idle_seconds=600)
    await buckets.charge("address:198.51.100.1", 10, Budget.per_second(1))
    now[0] += 700
    await buckets.charge("address:198.51.100.2", 10, Budget.per_second(1))
    assert list(buckets._buckets) == ["address:198.51.100.2"]
