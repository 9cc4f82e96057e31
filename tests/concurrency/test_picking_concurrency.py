"""Two waves built at the same moment never take the same shipment."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from api.db import Database
from api.errors import NotFound
from api.fulfilment.models import PickList, PickTask
from api.fulfilment.picking import create_pick_list
from api.orders.models import Shipment
from api.orders.placement import place_order
from api.orders.routing import OrderPolicy
from api.payments.provider import TestPaymentProvider
from tests.factories import make_channel, make_location, make_product, receive
from tests.invariants import assert_invariants
from tests.service.orders.conftest import order_request

ORDERS = 20


async def test_parallel_waves_split_the_waiting_shipments_between_them(
    pg_database: Database,
) -> None:
    await make_channel(pg_database, "web")
    await make_product(pg_database, "S1")
    berlin = await make_location(pg_database, "BER")
    await receive(pg_database, berlin, "S1", 100)
    for n in range(ORDERS):
        async with pg_database.unit_of_work("staff:1") as uow:
            await place_order(
                uow,
                TestPaymentProvider(),
                order_request(("S1", 1), customer_email=f"c{n}@example.com"),
                OrderPolicy(),
            )

    async def wave() -> PickList | NotFound:
        try:
            async with pg_database.unit_of_work("staff:picker") as uow:
                return await create_pick_list(uow, location_id=berlin.id, max_orders=15)  # type: ignore[arg-type]
        except NotFound as nothing_left:
            return nothing_left

    results = await asyncio.gather(*(wave() for _ in range(4)))
    async with pg_database.session() as session:
        shipments = list((await session.execute(select(Shipment))).scalars())
    waved = [s.pick_list_id for s in shipments]
    assert None not in waved  # every shipment is in exactly one wave
    lists = [r for r in results if isinstance(r, PickList)]
    assert all(1 <= waved.count(p.id) <= 15 for p in lists)
    assert sum(waved.count(p.id) for p in lists) == ORDERS
    # a shipment two waves had both taken would be picked twice: the tasks would ask for more
    async with pg_database.session() as session:
        asked = (await session.execute(select(func.sum(PickTask.quantity)))).scalar_one()
    assert asked == ORDERS
    await assert_invariants(pg_database)
