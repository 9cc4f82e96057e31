"""PostgreSQL, real servers: a change made through one server process reaches subscribers on
another (two uvicorn workers); a subscriber that was away resumes with its cursor and gets
exactly what it missed; a server shutting down sends its subscribers elsewhere."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import pytest

from tests.servers import server_process
from tests.subscriptions.conftest import pg_environment
from tests.subscriptions.shop import HOLD, RELEASE, Shop, call, end_cursor, place
from tests.wsclient import graphql_ws

pytestmark = pytest.mark.postgresql

ORDER_EVENTS = """subscription($after: String) { orderEvents(after: $after) {
  type orderId cursor data } }"""
ORDER_UPDATED = """subscription($id: ID, $after: String) { orderUpdated(id: $id, after: $after) {
  order { status } event { type cursor } } }"""


async def test_an_order_placed_through_one_worker_reaches_subscribers_on_the_others(
    worker_a: str, workers_b: str, pg_shop: Shop
) -> None:
    auth = {"authorization": f"Bearer {pg_shop.staff}"}
    after = await end_cursor(worker_a, pg_shop.staff)
    async with (
        graphql_ws(workers_b, auth) as first,
        graphql_ws(workers_b, auth) as second,
        graphql_ws(workers_b, auth) as third,
        graphql_ws(workers_b, auth) as fourth,
    ):
        listeners = [first, second, third, fourth]  # uvicorn spreads them over both workers
        for listener in listeners:
            await listener.subscribe(ORDER_EVENTS, {"after": after})
        placed = await place(worker_a, pg_shop.staff)
        for listener in listeners:
            seen = []
            while "ORDER_PLACED" not in seen:
                event = (await listener.next_data())["orderEvents"]
                assert event["orderId"] == placed.id
                seen.append(event["type"])
            assert seen == ["SHIPMENT_CREATED", "ORDER_PLACED"]


async def test_a_subscriber_that_was_away_gets_exactly_the_changes_it_missed_then_live_ones(
    worker_a: str, workers_b: str, pg_shop: Shop
) -> None:
    auth = {"authorization": f"Bearer {pg_shop.staff}"}
    placed = await place(worker_a, pg_shop.staff)
    after = await end_cursor(worker_a, pg_shop.staff)
    async with graphql_ws(workers_b, auth) as ws:
        await ws.subscribe(ORDER_UPDATED, {"id": placed.id, "after": after})
        await call(worker_a, pg_shop.staff, HOLD, {"id": placed.id})
        update = (await ws.next_data())["orderUpdated"]
        assert update["event"]["type"] == "ORDER_HELD"
        cursor = update["event"]["cursor"]

    missed = [RELEASE, HOLD, RELEASE, HOLD, RELEASE]  # five changes while disconnected
    for change in missed:
        await call(worker_a, pg_shop.staff, change, {"id": placed.id})

    async with graphql_ws(workers_b, auth) as ws:
        await ws.subscribe(ORDER_UPDATED, {"id": placed.id, "after": cursor})
        replayed = [(await ws.next_data())["orderUpdated"]["event"] for _ in missed]
        assert [event["type"] for event in replayed] == [
            "ORDER_HOLD_RELEASED",
            "ORDER_HELD",
            "ORDER_HOLD_RELEASED",
            "ORDER_HELD",
            "ORDER_HOLD_RELEASED",
        ]
        assert len({event["cursor"] for event in replayed}) == 5
        await call(worker_a, pg_shop.staff, HOLD, {"id": placed.id})
        live = (await ws.next_data())["orderUpdated"]
        assert (live["event"]["type"], live["order"]["status"]) == ("ORDER_HELD", "ON_HOLD")
        with pytest.raises(TimeoutError):
            await ws.receive(within=0.5)  # nothing twice


async def test_a_server_shutting_down_sends_subscribers_to_resume_elsewhere(
    worker_a: str, pg_url: str, pg_shop: Shop, tmp_path: Path
) -> None:
    auth = {"authorization": f"Bearer {pg_shop.staff}"}
    placed = await place(worker_a, pg_shop.staff)
    after = await end_cursor(worker_a, pg_shop.staff)
    with server_process(pg_environment(pg_url), tmp_path / "serve.log") as (leaving, process):
        async with graphql_ws(leaving, auth) as ws:
            await ws.subscribe(ORDER_UPDATED, {"id": placed.id, "after": after})
            await call(worker_a, pg_shop.staff, HOLD, {"id": placed.id})
            cursor = (await ws.next_data())["orderUpdated"]["event"]["cursor"]
            process.send_signal(signal.SIGTERM)
            assert await ws.closed_with() == 1012  # service restart: reconnect elsewhere
        # uvicorn finishes its graceful shutdown, then exits by the signal it caught
        assert await asyncio.to_thread(process.wait, 20) == -signal.SIGTERM
    await call(worker_a, pg_shop.staff, RELEASE, {"id": placed.id})
    async with graphql_ws(worker_a, auth) as ws:
        await ws.subscribe(ORDER_UPDATED, {"id": placed.id, "after": cursor})
        resumed = (await ws.next_data())["orderUpdated"]["event"]["type"]
        assert resumed == "ORDER_HOLD_RELEASED"
