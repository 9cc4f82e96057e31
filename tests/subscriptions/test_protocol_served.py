"""graphql-transport-ws against the served app (SQLite, one worker): every close code the
protocol defines, keep-alive, credentials, who may follow what, and no leaks."""

from __future__ import annotations

import asyncio
import base64

import pytest
from websockets.asyncio.client import connect

from tests.subscriptions.shop import (
    CANCEL,
    HOLD,
    Shop,
    call,
    end_cursor,
    place,
    subscribers,
    wait_for_subscribers,
)
from tests.wsclient import PROTOCOL, graphql_ws, ws_url

ORDER_UPDATED = """subscription($id: ID, $token: String) {
  orderUpdated(id: $id, trackingToken: $token) { order { number status } event { type cursor } } }"""
ORDER_EVENTS = "subscription { orderEvents { type orderId cursor } }"


async def test_ping_is_answered_with_pong(sqlite_served: str, sqlite_shop: Shop) -> None:
    async with graphql_ws(sqlite_served) as ws:
        await ws.send({"type": "ping"})
        assert (await ws.receive())["type"] == "pong"


async def test_subscribing_before_acknowledgement_closes_4401(sqlite_served: str) -> None:
    async with graphql_ws(sqlite_served, acknowledge=False) as ws:
        await ws.subscribe(ORDER_EVENTS)
        assert await ws.closed_with() == 4401


async def test_no_connection_init_in_time_closes_4408(sqlite_served: str) -> None:
    async with graphql_ws(sqlite_served, acknowledge=False) as ws:
        assert await ws.closed_with(within=5) == 4408  # the server waits 1 s here


async def test_a_duplicate_subscription_id_closes_4409(
    sqlite_served: str, sqlite_shop: Shop
) -> None:
    async with graphql_ws(sqlite_served, {"authorization": f"Bearer {sqlite_shop.staff}"}) as ws:
        await ws.subscribe(ORDER_EVENTS, id="same")
        await ws.subscribe(ORDER_EVENTS, id="same")
        assert await ws.closed_with() == 4409


async def test_a_second_connection_init_closes_4429(sqlite_served: str) -> None:
    async with graphql_ws(sqlite_served) as ws:
        await ws.send({"type": "connection_init", "payload": {}})
        assert await ws.closed_with() == 4429


@pytest.mark.parametrize(
    "message",
    ['{"type": "subscribe"}', "not json", '{"type": "no-such-type", "id": "1"}'],
)
async def test_a_malformed_message_closes_4400(sqlite_served: str, message: str) -> None:
    async with graphql_ws(sqlite_served) as ws:
        await ws.connection.send(message)
        assert await ws.closed_with() == 4400


async def test_wrong_credentials_refuse_the_connection_4403(sqlite_served: str) -> None:
    async with graphql_ws(sqlite_served, acknowledge=False) as ws:
        await ws.send({"type": "connection_init", "payload": {"authorization": "Bearer forged"}})
        assert await ws.closed_with() == 4403


async def test_a_page_of_the_admin_app_origin_may_open_a_websocket(sqlite_served: str) -> None:
    async with graphql_ws(sqlite_served, acknowledge=False, origin="http://127.0.0.1:5173") as ws:
        await ws.send({"type": "ping"})
        assert (await ws.receive())["type"] == "pong"


async def test_a_page_of_another_site_cannot_open_a_websocket(sqlite_served: str) -> None:
    with pytest.raises(Exception, match="403"):
        async with graphql_ws(sqlite_served, acknowledge=False, origin="https://evil.example"):
            pass


async def test_a_websocket_without_the_protocol_is_refused(sqlite_served: str) -> None:
    with pytest.raises(Exception, match=r"4406|subprotocol"):
        async with connect(ws_url(sqlite_served), subprotocols=["graphql-ws"]) as connection:  # type: ignore[list-item]
            await asyncio.wait_for(connection.recv(), 5)
    assert PROTOCOL == "graphql-transport-ws"


@pytest.mark.parametrize(
    "query",
    [
        ORDER_EVENTS,
        "subscription { inventoryChanged { onHand } }",
        'subscription { orderUpdated(id: "T3JkZXI6MQ==") { event { type } } }',
    ],
)
async def test_staff_subscriptions_are_refused_without_credentials(
    sqlite_served: str, sqlite_shop: Shop, query: str
) -> None:
    async with graphql_ws(sqlite_served) as ws:
        errors = await ws.errors_of(await ws.subscribe(query))
        # Stock fields are refused to callers without credentials before the subscription
        # asks for its permission.
        assert errors[0]["extensions"]["code"] in ("FORBIDDEN", "UNAUTHENTICATED"), errors


async def test_a_customer_follows_their_order_by_tracking_token(
    sqlite_served: str, sqlite_shop: Shop
) -> None:
    placed = await place(sqlite_served, sqlite_shop.staff)
    async with graphql_ws(sqlite_served) as ws:
        await ws.subscribe(ORDER_UPDATED, {"token": placed.tracking_token})
        await wait_for_subscribers(sqlite_served, 1)
        await call(sqlite_served, sqlite_shop.staff, HOLD, {"id": placed.id})
        update = (await ws.next_data())["orderUpdated"]
        assert update["order"] == {"number": placed.number, "status": "ON_HOLD"}
        assert update["event"]["type"] == "ORDER_HELD"


async def test_a_customer_resumes_only_from_a_cursor_the_server_issued(
    sqlite_served: str, sqlite_shop: Shop
) -> None:
    placed = await place(sqlite_served, sqlite_shop.staff)
    resume = """subscription($token: String!, $after: String) {
      orderUpdated(trackingToken: $token, after: $after) { event { type cursor } } }"""
    crafted = base64.urlsafe_b64encode(b"event:-1:0").decode()
    async with graphql_ws(sqlite_served) as ws:
        refused = await ws.subscribe(resume, {"token": placed.tracking_token, "after": crafted})
        [error] = await ws.errors_of(refused)
        assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    async with graphql_ws(sqlite_served) as ws:
        issued = await end_cursor(sqlite_served, sqlite_shop.staff)
        await ws.subscribe(resume, {"token": placed.tracking_token, "after": issued})
        await wait_for_subscribers(sqlite_served, 1)
        await call(sqlite_served, sqlite_shop.staff, HOLD, {"id": placed.id})
        update = (await ws.next_data())["orderUpdated"]["event"]
        assert update["type"] == "ORDER_HELD" and update["cursor"] != crafted


async def test_a_tracking_token_cannot_follow_another_order(
    sqlite_served: str, sqlite_shop: Shop
) -> None:
    mine = await place(sqlite_served, sqlite_shop.staff, buyer=1)
    theirs = await place(sqlite_served, sqlite_shop.staff, buyer=2)
    async with graphql_ws(sqlite_served) as ws:
        refused = await ws.subscribe(ORDER_UPDATED, {"token": mine.tracking_token, "id": theirs.id})
        assert "own order only" in str(await ws.errors_of(refused))
        refused = await ws.subscribe(ORDER_UPDATED, {"token": "not-a-token"})
        assert "Unknown tracking token" in str(await ws.errors_of(refused))
    assert await subscribers(sqlite_served) == 0


async def test_a_customer_connection_follows_a_limited_number_of_orders(
    sqlite_served: str, sqlite_shop: Shop
) -> None:
    placed = await place(sqlite_served, sqlite_shop.staff)
    async with graphql_ws(sqlite_served) as ws:
        for _ in range(2):
            await ws.subscribe(ORDER_UPDATED, {"token": placed.tracking_token})
        await wait_for_subscribers(sqlite_served, 2)
        refused = await ws.subscribe(ORDER_UPDATED, {"token": placed.tracking_token})
        assert "at most 2" in str(await ws.errors_of(refused))


async def test_a_shipment_follower_sees_the_cancellation(
    sqlite_served: str, sqlite_shop: Shop
) -> None:
    placed = await place(sqlite_served, sqlite_shop.staff)
    query = "subscription($t: String) { shipmentUpdated(trackingToken: $t) { status } }"
    async with graphql_ws(sqlite_served) as ws:
        await ws.subscribe(query, {"t": placed.tracking_token})
        await wait_for_subscribers(sqlite_served, 1)
        await call(sqlite_served, sqlite_shop.staff, CANCEL, {"id": placed.id})
        assert (await ws.next_data())["shipmentUpdated"] == {"status": "CANCELLED"}


async def test_stock_followers_see_reservations_and_receipts(
    sqlite_served: str, sqlite_shop: Shop
) -> None:
    query = """subscription($at: ID, $sku: String) { inventoryChanged(locationId: $at, sku: $sku)
      { onHand reserved available sku { code } } }"""
    receive = """mutation($at: ID!) { receiveInventory(input: {locationId: $at, sku: "LAMP-2",
      quantity: 5}) { userErrors { code } } }"""
    auth = {"authorization": f"Bearer {sqlite_shop.staff}"}
    async with graphql_ws(sqlite_served, auth) as ws:
        await ws.subscribe(query, {"at": sqlite_shop.location_id, "sku": "LAMP-2"})
        await wait_for_subscribers(sqlite_served, 1)
        await place(sqlite_served, sqlite_shop.staff, sku="LAMP-1")  # another SKU: not news
        await place(sqlite_served, sqlite_shop.staff, sku="LAMP-2")
        reserved = (await ws.next_data())["inventoryChanged"]
        assert reserved == {
            "onHand": 100,
            "reserved": 1,
            "available": 99,
            "sku": {"code": "LAMP-2"},
        }
        await call(sqlite_served, sqlite_shop.staff, receive, {"at": sqlite_shop.location_id})
        received = (await ws.next_data())["inventoryChanged"]
        assert (received["onHand"], received["reserved"]) == (105, 1)


async def test_an_abrupt_disconnect_leaves_no_subscriber_behind(
    sqlite_served: str, sqlite_shop: Shop
) -> None:
    auth = {"authorization": f"Bearer {sqlite_shop.staff}"}
    async with graphql_ws(sqlite_served, auth) as ws:
        await ws.subscribe(ORDER_EVENTS)
        await ws.subscribe(ORDER_EVENTS)
        await wait_for_subscribers(sqlite_served, 2)
        ws.connection.transport.abort()  # no close frame: the TCP connection just drops
    await wait_for_subscribers(sqlite_served, 0)
