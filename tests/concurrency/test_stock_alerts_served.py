"""Stock alerts from a served API: its plan refresher and its projection of the event log raise
them by themselves, for changes written by any process, and they read back from the event log
that subscriptions and webhooks follow."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from api.db import Database
from api.dbtypes import simulated_time
from api.orders.routing import OrderPolicy
from tests.factories import TEST_SECRET, receive, staff_token
from tests.servers import serving
from tests.service.fulfilment.conftest import make_warehouse

ALERTS = """{ events(types: [INVENTORY_REORDER_POINT_REACHED, INVENTORY_STOCKED_OUT],
  first: 10) { nodes { type data } } }"""


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


async def test_a_served_api_raises_alerts_for_levels_that_run_low_and_out(
    pg_database: Database, pg_database_url: str, tmp_path: Path
) -> None:
    warehouse = await make_warehouse(pg_database, OrderPolicy())
    await receive(pg_database, warehouse.berlin, "S1", 20)  # 30 on hand
    start = datetime.now(UTC).replace(hour=0, minute=30)
    for days_ago in range(20, 0, -1):  # 1 a day: 10 left, under 14 days' lead time
        with simulated_time(start - timedelta(days=days_ago)):
            await warehouse.place(("S1", 1), email=f"buyer{days_ago}@example.com")
    token = await staff_token(pg_database)
    environment = {**os.environ, "DATABASE_URL": pg_database_url, "OMS_SECRET_KEY": TEST_SECRET,
                   "OMS_PLANNING_REFRESH_MINUTES": "0.05", "OMS_LOG_LEVEL": "WARNING"}  # fmt: skip

    with serving(environment, tmp_path / "api.log") as url:
        (low,) = alerts_within(url, token, 1)
        assert low["type"] == "INVENTORY_REORDER_POINT_REACHED"
        assert (low["data"]["level"]["sku"], low["data"]["level"]["available"]) == ("S1", 10)
        assert low["data"]["dailyDemand"] > 0 and low["data"]["reorderPoint"] >= 10

        for index in range(10):  # from this process: the server learns of them from the log
            await warehouse.place(("S1", 1), email=f"late{index}@example.com")
        found = alerts_within(url, token, 2)
    assert [alert["type"] for alert in found] == [
        "INVENTORY_REORDER_POINT_REACHED",
        "INVENTORY_STOCKED_OUT",
    ]
    assert found[1]["data"]["previousState"] == "AT_REORDER_POINT"
