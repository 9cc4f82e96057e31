"""Stock alerts from a served API: its plan refresher and its projection of the event log raise
them by themselves, for changes any process writes, and they read back from the event log that
subscriptions and webhooks follow."""

from __future__ import annotations

import asyncio
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import select

from api.catalog.models import Sku
from api.db import Database
from api.dbtypes import simulated_time
from api.events.models import ProjectionCursor
from api.orders.routing import OrderPolicy
from api.planning import alerts
from api.planning.models import LevelPlan
from tests.factories import TEST_SECRET, receive, staff_token
from tests.servers import serving
from tests.service.fulfilment.conftest import make_warehouse

ALERTS = """{ events(types: [INVENTORY_REORDER_POINT_REACHED, INVENTORY_STOCKED_OUT,
  INVENTORY_OVERSTOCKED], first: 10) { nodes { type data } } }"""


def alerts_within(url: str, token: str, count: int, seconds: float = 30) -> list[dict]:
    deadline = time.monotonic() + seconds
    while True:
        answer = httpx.post(url, json={"query": ALERTS},
                            headers={"authorization": f"Bearer {token}"}).json()  # fmt: skip
        assert "errors" not in answer, answer
        found = answer["data"]["events"]["nodes"]
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.3)


async def planned_state(database: Database, sku: str, seconds: float = 30) -> str | None:
    """The level's stock state once the server has planned it and follows the log."""
    deadline = time.monotonic() + seconds
    while True:
        async with database.session() as session:
            state = (
                await session.execute(
                    select(LevelPlan.stock_state)
                    .join(Sku, Sku.id == LevelPlan.sku_id)
                    .where(Sku.code == sku)
                )
            ).scalar_one_or_none()
            following = await session.get(ProjectionCursor, alerts.NAME)
        if (state is not None and following) or time.monotonic() > deadline:
            return state
        await asyncio.sleep(0.2)


async def test_a_served_api_raises_alerts_for_levels_that_run_out(
    pg_database: Database, pg_database_url: str, tmp_path: Path
) -> None:
    warehouse = await make_warehouse(pg_database, OrderPolicy())
    await receive(pg_database, warehouse.berlin, "S1", 20)  # 30 on hand
    start = datetime.now(UTC).replace(hour=0, minute=30)
    for days_ago in range(20, 0, -1):  # 1 a day: 10 left, under the default 14 days' lead time
        with simulated_time(start - timedelta(days=days_ago)):
            await warehouse.place(("S1", 1), email=f"buyer{days_ago}@example.com")
    token = await staff_token(pg_database)
    environment = {**os.environ, "DATABASE_URL": pg_database_url, "OMS_SECRET_KEY": TEST_SECRET,
                   "OMS_PLANNING_REFRESH_MINUTES": "0.05", "OMS_LOG_LEVEL": "WARNING"}  # fmt: skip

    with serving(environment, tmp_path / "api.log") as url:
        # Its first plans record where each level stands, raising nothing for a past it never saw.
        assert await planned_state(pg_database, "S1") == "AT_REORDER_POINT"
        for index in range(10):  # written by this process: the server learns of them from the log
            await warehouse.place(("S1", 1), email=f"late{index}@example.com")
        (out,) = alerts_within(url, token, 1)
    assert out["type"] == "INVENTORY_STOCKED_OUT"
    assert out["data"]["previousState"] == "AT_REORDER_POINT"
    assert (out["data"]["level"]["sku"], out["data"]["level"]["available"]) == ("S1", 0)
    assert out["data"]["dailyDemand"] > 0 and out["data"]["reorderPoint"] >= 10
