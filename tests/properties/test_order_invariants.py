"""Random sequences of stock and order commands; the invariants hold after every step."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from api.auth import SYSTEM_ACTOR
from api.catalog.service import SkuFields, create_product
from api.db import Database
from api.errors import DomainError
from api.events.models import Event
from api.inventory import service as inventory
from api.inventory.models import AdjustmentReason
from api.orders import changes, editing, placement
from api.orders.models import Order
from api.orders.requests import LineRequest, PlaceOrderRequest, ShippingAddress
from api.orders.routing import OrderPolicy
from api.payments.provider import TestPaymentProvider
from tests.conftest import empty_database
from tests.factories import make_channel, make_location
from tests.invariants import assert_invariants
from tests.service.orders.conftest import row_counts

SKUS = ("A", "B", "C")  # C may be backordered
CITIES = ("BER", "MUC")
ADDRESS = ShippingAddress(
    "Ada", "Street 1", "Potsdam", "14467", "DE", latitude=52.39, longitude=13.06
)

place = st.builds(
    lambda lines, token, key: ("place", lines, token, key),
    st.lists(st.tuples(st.sampled_from(SKUS), st.integers(1, 4)), min_size=1, max_size=3),
    st.sampled_from(["tok_visa"] * 4 + ["tok_chargeDeclined", "tok_review"]),
    st.sampled_from([None, None, "k1", "k2"]),
)
cancel = st.tuples(st.just("cancel"), st.integers(0, 5), st.booleans())
edit = st.tuples(st.just("edit"), st.integers(0, 5), st.sampled_from(SKUS), st.integers(0, 5))
receive = st.tuples(
    st.just("receive"), st.sampled_from(CITIES), st.sampled_from(SKUS), st.integers(1, 6)
)
adjust = st.tuples(
    st.just("adjust"), st.sampled_from(CITIES), st.sampled_from(SKUS), st.integers(-4, 4)
)
commands = st.lists(st.one_of(place, place, cancel, edit, receive, adjust), min_size=1, max_size=12)


@dataclass
class World:
    database: Database
    payments: TestPaymentProvider
    locations: dict[str, int]
    orders: list[int]


async def build_world(url: str) -> World:
    database = Database(url, pool_size=5)
    await empty_database(database)
    await make_channel(database, "web")
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        await create_product(
            uow,
            name="P",
            skus=[
                SkuFields("A", "A", price=500),
                SkuFields("B", "B", price=700),
                SkuFields("C", "C", price=900, allow_backorder=True),
            ],
        )
    locations = {code: (await make_location(database, code)).id for code in CITIES}
    world = World(database, TestPaymentProvider(), locations, [])  # type: ignore[arg-type]
    for city in CITIES:
        for sku in ("A", "B"):
            await run(world, ("receive", city, sku, 3))
    return world


async def events(database: Database) -> int:
    async with database.session() as session:
        return int((await session.execute(select(func.count()).select_from(Event))).scalar_one())


async def run(world: World, command: tuple) -> None:  # type: ignore[type-arg]
    kind, *args = command
    async with world.database.unit_of_work("staff:1") as uow:
        if kind == "place":
            lines, token, key = args
            placed = await placement.place_order(
                uow,
                world.payments,
                PlaceOrderRequest(
                    "web",
                    "ada@example.com",
                    "Ada",
                    [LineRequest(s, q) for s, q in lines],
                    ADDRESS,
                    payment_token=token,
                    idempotency_key=key,
                ),
                OrderPolicy(max_shipments=2),
            )
            if not placed.replayed:
                world.orders.append(placed.order.id)  # type: ignore[arg-type]
        elif kind == "cancel" and world.orders:
            index, partial = args
            order_id = world.orders[index % len(world.orders)]
            lines = None
            if partial:
                open_lines = await changes.order_lines_of(uow, order_id)
                line = open_lines[0]
                lines = [changes.LineCancellation(line.id, 1)]  # type: ignore[arg-type]
            await changes.cancel_order(
                uow, world.payments, order_id=order_id, reason="test", lines=lines
            )
        elif kind == "edit" and world.orders:
            index, sku, quantity = args
            await editing.edit_order(
                uow,
                world.payments,
                order_id=world.orders[index % len(world.orders)],
                lines=[LineRequest(sku, quantity)],
                address=None,
                policy=OrderPolicy(max_shipments=2),
            )
        elif kind == "receive":
            city, sku, quantity = args
            await inventory.receive_inventory(
                uow, location_id=world.locations[city], sku_code=sku, quantity=quantity
            )
        elif kind == "adjust":
            city, sku, delta = args
            await inventory.adjust_inventory(
                uow,
                location_id=world.locations[city],
                sku_code=sku,
                delta=delta,
                reason=AdjustmentReason.CYCLE_COUNT,
            )


async def play(url: str, script: list[tuple]) -> None:  # type: ignore[type-arg]
    world = await build_world(url)
    try:
        for command in script:
            before_rows, before_events = (
                await row_counts(world.database),
                await events(world.database),
            )
            orders_before = len(world.orders)
            try:
                await run(world, command)
            except DomainError:
                # invariant 6: a refused command leaves no row and no event
                assert await row_counts(world.database) == before_rows, command
                assert await events(world.database) == before_events, command
            else:
                changed = await events(world.database) > before_events
                replay = command[0] == "place" and len(world.orders) == orders_before
                skipped = command[0] in ("cancel", "edit") and not world.orders
                assert changed or replay or skipped, command
                if replay:  # invariant 7: a replayed key creates nothing new
                    assert await row_counts(world.database) == before_rows, command
            await assert_invariants(world.database)
        async with world.database.session() as session:
            placed = (await session.execute(select(func.count()).select_from(Order))).scalar_one()
        assert placed == len(world.orders)
    finally:
        await world.database.dispose()


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(script=commands)
def test_invariants_hold_after_every_command(database_url: str, script: list[tuple]) -> None:  # type: ignore[type-arg]
    asyncio.run(play(database_url, script))
