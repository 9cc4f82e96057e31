"""The summary tables the events keep current are what a rebuild from the raw rows says."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from api.background import BackgroundLoop
from api.db import Database
from api.events.models import ProjectionCursor
from api.kpis.models import KpiOrderFact, KpiStockDay
from api.kpis.periods import Granularity
from api.kpis.projection import NAME, catch_up, rebuild
from api.kpis.service import kpis
from api.reads import columns
from tests.factories import commit_events
from tests.service.orders.conftest import Shop
from tests.service.simulation.test_simulator import simulated


async def snapshot(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    def plain(row: Any) -> tuple[Any, ...]:
        # Sums of floats in another order differ in their last digits (on_hand_moments is
        # about 10^11 for a single unit).
        return tuple(pytest.approx(value, rel=1e-12) if isinstance(value, float) else value
                     for value in row)  # fmt: skip

    tables = {}
    async with database.reader() as reader:
        for model in (KpiOrderFact, KpiStockDay):
            table = columns(model)
            rows = await reader.execute(select(table).order_by(*list(table)[:3]))
            tables[model.__name__] = [plain(row) for row in rows]
    return tables


async def test_the_events_keep_the_facts_as_a_rebuild_makes_them(shop: Shop) -> None:
    await simulated(shop.database, days=6, orders_per_day=8)  # each day ends caught up
    kept = await snapshot(shop.database)
    assert len(kept["KpiOrderFact"]) > 40 and len(kept["KpiStockDay"]) > 10
    assert {row[1] for row in kept["KpiOrderFact"]} > {0}, "whole-order and location rows"
    await rebuild(shop.database)
    assert await snapshot(shop.database) == kept


async def test_an_answer_includes_every_change_committed_before_it(shop: Shop) -> None:
    now = datetime.now(UTC)
    before = await kpis(shop.database, now - timedelta(days=1), now + timedelta(days=1),
                        Granularity.DAY, currency="EUR")  # fmt: skip
    await shop.place(("TEE-M", 1))
    after = await kpis(shop.database, now - timedelta(days=1), now + timedelta(days=1),
                       Granularity.DAY, currency="EUR")  # fmt: skip
    assert after.totals.orders == before.totals.orders + 1


@pytest.mark.postgresql
async def test_two_processes_catching_up_apply_each_batch_once(pg_database: Database) -> None:
    other = Database(pg_database.engine.url.render_as_string(hide_password=False))
    try:
        await commit_events(pg_database, *range(1, 30))
        applied = await asyncio.gather(catch_up(pg_database), catch_up(other))
        assert sum(applied) == 29
        async with pg_database.reader() as reader:
            cursor = columns(ProjectionCursor)
            found = await reader.execute(select(cursor.event_id).where(cursor.name == NAME))
            position = found.scalar_one()
        assert position > 0
    finally:
        await other.dispose()


async def test_the_projector_follows_commits_in_the_background(shop: Shop) -> None:
    projector = BackgroundLoop(shop.database, NAME, catch_up, every_seconds=30, pause_seconds=0.01)
    projector.start()
    try:
        placed = await shop.place(("TEE-M", 1))
        fact = columns(KpiOrderFact)
        for _ in range(300):
            async with shop.database.reader() as reader:
                found = await reader.execute(select(fact.order_id).where(fact.location_id == 0))
                if placed.order.id in found.scalars().all():
                    break
            await asyncio.sleep(0.01)
        else:
            pytest.fail("the projector did not apply the order in time")
    finally:
        await projector.stop()
