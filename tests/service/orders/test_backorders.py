from __future__ import annotations

from sqlalchemy import select

from api.events.models import Event
from api.inventory import transfers
from api.inventory.models import InventoryLevel
from api.orders.changes import cancel_order
from api.orders.models import OrderLine
from tests.factories import make_location, receive
from tests.invariants import assert_invariants
from tests.service.orders.conftest import Shop


async def backorders(shop: Shop) -> list[tuple[int, int]]:
    async with shop.database.session() as session:
        lines = (await session.execute(select(OrderLine).order_by(OrderLine.id))).scalars()
        return [(line.quantity_allocated, line.quantity_backordered) for line in lines]


async def test_received_stock_fills_backorders_oldest_first(shop: Shop) -> None:
    await shop.place(("MUG", 3))
    await shop.place(("MUG", 2))
    assert await backorders(shop) == [(0, 3), (0, 2)]
    level = await receive(shop.database, shop.berlin, "MUG", 4)
    assert await backorders(shop) == [(3, 0), (1, 1)]
    assert (level.on_hand, level.reserved) == (4, 4)
    async with shop.database.session() as session:
        filled = list(
            (
                await session.execute(
                    select(Event.payload).where(Event.type == "BACKORDER_ALLOCATED")
                )
            ).scalars()
        )
        line = (await session.execute(select(OrderLine).order_by(OrderLine.id))).scalars().first()
    assert [event["quantity"] for event in filled] == [3, 1]
    assert line is not None and line.backorder_promised_at is None
    assert not line.filled_as_placed, "filled later, from received stock"
    assert line.was_backordered, "filled since, but it waited"
    await assert_invariants(shop.database)


async def test_stock_at_a_location_that_does_not_ship_fills_nothing(shop: Shop) -> None:
    await shop.place(("MUG", 1))
    store = await make_location(shop.database, "HAM", ships=False)
    await receive(shop.database, store, "MUG", 5)
    assert await backorders(shop) == [(0, 1)]


async def test_cancelled_orders_are_not_filled(shop: Shop) -> None:
    cancelled = await shop.place(("MUG", 2))
    await shop.place(("MUG", 1))
    async with shop.database.unit_of_work("staff:1") as uow:
        await cancel_order(uow, shop.payments, order_id=cancelled.order.id, reason="no")  # type: ignore[arg-type]
    await receive(shop.database, shop.munich, "MUG", 5)
    assert await backorders(shop) == [(0, 0), (1, 0)]
    await assert_invariants(shop.database)


async def test_a_received_transfer_fills_backorders(shop: Shop) -> None:
    await shop.place(("MUG", 2))
    store = await make_location(shop.database, "HAM", ships=False)
    await receive(shop.database, store, "MUG", 5)
    async with shop.database.unit_of_work("staff:1") as uow:
        transfer = await transfers.transfer_inventory(
            uow,
            from_location_id=store.id,
            to_location_id=shop.berlin.id,
            sku_code="MUG",
            quantity=3,  # type: ignore[arg-type]
        )
    async with shop.database.unit_of_work("staff:1") as uow:
        await transfers.receive_transfer(uow, transfer_id=transfer.id)  # type: ignore[arg-type]
    assert await backorders(shop) == [(2, 0)]
    async with shop.database.session() as session:
        level = (
            await session.execute(
                select(InventoryLevel).where(
                    InventoryLevel.location_id == shop.berlin.id, InventoryLevel.reserved > 0
                )
            )
        ).scalar_one()
    assert (level.on_hand, level.reserved) == (3, 2)
    await assert_invariants(shop.database)


async def test_a_backorder_is_promised_sooner_when_stock_is_on_its_way(shop: Shop) -> None:
    from datetime import timedelta

    store = await make_location(shop.database, "HAM", ships=False)
    await receive(shop.database, store, "MUG", 5)
    async with shop.database.unit_of_work("staff:1") as uow:
        await transfers.transfer_inventory(
            uow,
            from_location_id=store.id,
            to_location_id=shop.berlin.id,
            sku_code="MUG",
            quantity=2,  # type: ignore[arg-type]
        )
    soon = await shop.place(("MUG", 2))
    later = await shop.place(("MUG", 3))
    async with shop.database.session() as session:
        lines = list((await session.execute(select(OrderLine).order_by(OrderLine.id))).scalars())
    assert lines[0].backorder_promised_at - soon.order.placed_at == timedelta(days=3)  # type: ignore[operator]
    assert lines[1].backorder_promised_at - later.order.placed_at == timedelta(days=14)  # type: ignore[operator]


async def test_a_line_allocated_in_full_at_placement_is_filled_as_placed(shop: Shop) -> None:
    await shop.place(("TEE-M", 2), ("MUG", 1))
    async with shop.database.session() as session:
        lines = (await session.execute(select(OrderLine).order_by(OrderLine.id))).scalars()
        flags = [
            (line.quantity_backordered, line.filled_as_placed, line.was_backordered)
            for line in lines
        ]
    assert flags == [(0, True, False), (1, False, True)]
