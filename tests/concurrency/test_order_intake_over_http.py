"""PostgreSQL, the app served by uvicorn with 2 workers, real HTTP: no overselling, ever."""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from sqlalchemy import func, select

from api.auth import SYSTEM_ACTOR
from api.catalog.service import SkuFields, create_product
from api.cli import migrate_database
from api.db import Database
from api.inventory.models import InventoryLevel
from api.orders.models import Order
from api.users.service import create_api_key
from tests import postgres
from tests.conftest import empty_database
from tests.factories import make_channel, make_location, receive
from tests.invariants import assert_invariants
from tests.servers import serving

pytestmark = pytest.mark.postgresql
PLACE = """mutation($input: PlaceOrderInput!) { placeOrder(input: $input) {
  order { id } userErrors { code } } }"""


@pytest.fixture(scope="module")
def server_database(postgres_server: str | None) -> Iterator[str]:
    if postgres_server is None:
        pytest.skip("no PostgreSQL server (outside CI)")
    url = postgres.create_database(postgres_server, prefix="oms_http")
    migrate_database(url)
    yield url
    postgres.drop_database(postgres_server, url)


@pytest.fixture(scope="module")
def served(server_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    environment = {
        **os.environ,
        "DATABASE_URL": server_database,
        "OMS_SECRET_KEY": "http-concurrency-secret-key-0123456789",
        "OMS_LOG_LEVEL": "WARNING",
    }
    log = tmp_path_factory.mktemp("uvicorn") / "serve.log"
    with serving(environment, log, workers=2) as url:
        yield url


@pytest.fixture
async def shop(server_database: str) -> AsyncIterator[tuple[Database, str]]:
    database = Database(server_database, pool_size=5)
    await empty_database(database)
    await make_channel(database, "web")
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        await create_product(
            uow, name="Limited", skus=[SkuFields("LIMITED-1", "Limited", price=1000)]
        )
    berlin = await make_location(database, "BER")
    await receive(database, berlin, "LIMITED-1", 100)
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        key = (
            await create_api_key(uow, name="storefront", scopes=["orders:write", "orders:read"])
        ).secret
    yield database, key
    await database.dispose()


def order_input(n: int, key: str | None = None) -> dict[str, object]:
    return {
        "channel": "web",
        "customer": {"email": f"buyer{n}@example.com", "name": f"Buyer {n}"},
        "lines": [{"sku": "LIMITED-1", "quantity": 1}],
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
        "idempotencyKey": key,
    }


async def fire(url: str, token: str, inputs: list[dict[str, object]]) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    async with httpx.AsyncClient(limits=limits, timeout=120) as client:
        return await asyncio.gather(
            *(
                client.post(
                    url,
                    json={"query": PLACE, "variables": {"input": body}},
                    headers={"authorization": f"Bearer {token}"},
                )
                for body in inputs
            )
        )


async def test_300_buyers_for_100_units_get_exactly_100_orders(
    served: str, shop: tuple[Database, str]
) -> None:
    database, token = shop
    responses = await fire(served, token, [order_input(n) for n in range(300)])
    assert Counter(response.status_code for response in responses) == {200: 300}
    outcomes = Counter(
        "placed"
        if body["data"]["placeOrder"]["order"]
        else body["data"]["placeOrder"]["userErrors"][0]["code"]
        for body in (response.json() for response in responses)
    )
    assert outcomes == {"placed": 100, "INSUFFICIENT_STOCK": 200}
    async with database.session() as session:
        level = (await session.execute(select(InventoryLevel))).scalar_one()
        orders = (await session.execute(select(func.count()).select_from(Order))).scalar_one()
    assert (level.on_hand, level.reserved, orders) == (100, 100, 100)
    await assert_invariants(database)


async def test_one_key_fired_20_times_at_once_creates_one_order(
    served: str, shop: tuple[Database, str]
) -> None:
    database, token = shop
    responses = await fire(served, token, [order_input(1, key="same-cart")] * 20)
    assert {response.status_code for response in responses} == {200}
    ids = {response.json()["data"]["placeOrder"]["order"]["id"] for response in responses}
    assert len(ids) == 1
    async with database.session() as session:
        assert (await session.execute(select(func.count()).select_from(Order))).scalar_one() == 1
        level = (await session.execute(select(InventoryLevel))).scalar_one()
    assert level.reserved == 1
    await assert_invariants(database)


async def test_one_channel_order_number_sent_twice_at_once_places_one_order(
    served: str, shop: tuple[Database, str]
) -> None:
    database, token = shop
    bodies = [{**order_input(n), "externalReference": "MARKET-1"} for n in range(10)]
    responses = await fire(served, token, bodies)
    assert {response.status_code for response in responses} == {200}
    outcomes = Counter(
        "placed"
        if body["data"]["placeOrder"]["order"]
        else body["data"]["placeOrder"]["userErrors"][0]["code"]
        for body in (response.json() for response in responses)
    )
    assert outcomes == {"placed": 1, "ALREADY_EXISTS": 9}
    await assert_invariants(database)
