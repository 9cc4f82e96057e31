"""A small shop behind a served app, and the HTTP calls the subscription tests make."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import httpx

from api.auth import SYSTEM_ACTOR
from api.catalog.service import SkuFields, create_product
from api.db import Database
from schema.relay import encode_global_id
from tests.factories import TEST_SECRET, make_channel, make_location, receive, staff_token

SERVER_ENVIRONMENT = {
    "OMS_SECRET_KEY": TEST_SECRET,
    "OMS_LOG_LEVEL": "WARNING",
    "OMS_WS_INIT_TIMEOUT_SECONDS": "1",
    "OMS_CUSTOMER_SUBSCRIPTIONS_PER_CONNECTION": "2",
}
PLACE = """mutation($input: PlaceOrderInput!) { placeOrder(input: $input) {
  order { id number } trackingToken userErrors { code message } } }"""
HOLD = 'mutation($id: ID!) { holdOrder(input: {orderId: $id, reason: "check"}) { userErrors { code } } }'
RELEASE = "mutation($id: ID!) { releaseOrderHold(input: {orderId: $id}) { userErrors { code } } }"
CANCEL = """mutation($id: ID!) { cancelOrder(input: {orderId: $id, reason: "changed mind"})
  { userErrors { code } } }"""


@dataclass
class Shop:
    staff: str
    location_id: str


@dataclass
class Placed:
    id: str
    number: str
    tracking_token: str


def open_shop(url: str) -> Shop:
    """Once per served database: the server's feed has read the log, and a log that started
    over underneath it (emptied tables) is not something production ever does."""
    return asyncio.run(_open_shop(url))


async def _open_shop(url: str) -> Shop:
    database = Database(url, pool_size=2)
    await make_channel(database, "web")
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        await create_product(
            uow,
            name="Lamp",
            skus=[SkuFields("LAMP-1", "Lamp", price=1000), SkuFields("LAMP-2", "Lamp", price=1500)],
        )
    berlin = await make_location(database, "BER")
    await receive(database, berlin, "LAMP-1", 100)
    await receive(database, berlin, "LAMP-2", 100)
    token = await staff_token(database)
    await database.dispose()
    assert berlin.id is not None
    return Shop(token, encode_global_id("Location", berlin.id))


async def call(url: str, token: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(
            url,
            json={"query": query, "variables": variables},
            headers={"authorization": f"Bearer {token}"},
        )
    body = response.json()
    assert "errors" not in body, body
    return dict(body["data"])


async def place(url: str, token: str, buyer: int = 1, sku: str = "LAMP-1") -> Placed:
    body = {
        "channel": "web",
        "customer": {"email": f"buyer{buyer}@example.com", "name": "Buyer"},
        "lines": [{"sku": sku, "quantity": 1}],
        "shippingAddress": {
            "name": "Buyer",
            "line1": "Street 1",
            "city": "Potsdam",
            "postalCode": "14467",
            "country": "DE",
            "latitude": 52.39,
            "longitude": 13.06,
        },
        "payment": {"token": "tok_visa"},
    }
    answer = (await call(url, token, PLACE, {"input": body}))["placeOrder"]
    assert answer["userErrors"] == [], answer
    return Placed(answer["order"]["id"], answer["order"]["number"], answer["trackingToken"])


async def subscribers(url: str) -> int:
    async with httpx.AsyncClient() as client:
        health = (await client.get(url.replace("/graphql", "/health"))).json()
    return int(health["subscribers"])


async def wait_for_subscribers(url: str, count: int, within: float = 5) -> None:
    """Until the server holds ``count`` subscribers (a subscription registers asynchronously)."""
    for _ in range(int(within / 0.05)):
        if await subscribers(url) == count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{await subscribers(url)} subscribers, not {count}")


async def end_cursor(url: str, token: str) -> str:
    """The cursor after the last event now in the log: subscribing after it misses nothing."""
    query = "query($after: String) { events(first: 250, after: $after) { pageInfo { endCursor hasNextPage } } }"
    cursor = None
    while True:
        page = (await call(url, token, query, {"after": cursor}))["events"]["pageInfo"]
        cursor = page["endCursor"]
        if not page["hasNextPage"]:
            assert cursor is not None
            return str(cursor)
