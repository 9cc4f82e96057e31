"""Purchase orders through their life: ordered units on their way, received in parts, costs
averaged, backorders filled and promised from them; every refusal writes nothing."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from api.catalog.models import Sku
from api.db import Database
from api.dbtypes import utcnow
from api.errors import (
    AlreadyExists,
    DomainError,
    IdempotencyConflict,
    IllegalTransition,
    InvalidInput,
    NotFound,
    OverReceipt,
)
from api.events.models import Event, EventType
from api.inventory.models import InventoryLevel, InventoryMovement
from api.orders.models import OrderLine
from api.purchasing import service
from api.purchasing.models import PurchaseOrder, PurchaseOrderLine
from api.purchasing.service import PurchaseLine, ReceivedUnits
from api.purchasing.statuses import PurchaseOrderStatus
from tests.invariants import assert_invariants
from tests.service.orders.conftest import Shop
from tests.service.purchasing.conftest import STAFF, shop_with_supplier


async def draft(
    shop: Shop, *lines: tuple[str, int, int], expected_at: datetime | None = None
) -> int:
    async with shop.database.unit_of_work(STAFF) as uow:
        order = await service.create_purchase_order(
            uow,
            supplier_code="ACME",
            location_id=shop.berlin.id,  # type: ignore[arg-type]
            lines=[PurchaseLine(sku, quantity, cost) for sku, quantity, cost in lines],
            expected_at=expected_at,
        )
    assert order.id is not None
    return order.id


async def ordered(
    shop: Shop, *lines: tuple[str, int, int], expected_at: datetime | None = None
) -> int:
    purchase_order_id = await draft(shop, *lines, expected_at=expected_at)
    async with shop.database.unit_of_work(STAFF) as uow:
        await service.order_purchase_order(uow, purchase_order_id=purchase_order_id)
    return purchase_order_id


async def receive(
    shop: Shop, purchase_order_id: int, *lines: tuple[str, int], key: str | None = None
) -> PurchaseOrder:
    async with shop.database.unit_of_work(STAFF) as uow:
        return await service.receive_purchase_order(
            uow,
            purchase_order_id=purchase_order_id,
            lines=[ReceivedUnits(sku, quantity) for sku, quantity in lines] if lines else None,
            idempotency_key=key,
        )


async def berlin_level(shop: Shop, sku: str) -> tuple[int, int, int]:
    async with shop.database.session() as session:
        level = (
            await session.execute(
                select(InventoryLevel)
                .join(Sku, Sku.id == InventoryLevel.sku_id)  # type: ignore[arg-type]
                .where(InventoryLevel.location_id == shop.berlin.id, Sku.code == sku)
            )
        ).scalar_one_or_none()
    return (level.on_hand, level.reserved, level.incoming) if level else (0, 0, 0)


async def snapshot(database: Database) -> dict[str, object]:
    async with database.session() as session:
        counted = {
            table.__tablename__: (
                await session.execute(select(func.count()).select_from(table))
            ).scalar_one()
            for table in (PurchaseOrder, PurchaseOrderLine, InventoryMovement, Event)
        }
        lines = (await session.execute(select(PurchaseOrderLine.quantity_received))).scalars().all()
        levels = (
            await session.execute(select(InventoryLevel.on_hand, InventoryLevel.incoming))
        ).all()
        costs = (await session.execute(select(Sku.code, Sku.unit_cost).order_by(Sku.code))).all()
    return {**counted, "received": sorted(lines), "levels": sorted(levels), "costs": costs}


async def test_ordering_puts_units_on_their_way_and_receipts_in_parts_bring_them_in(
    shop: Shop,
) -> None:
    purchase_order_id = await draft(shop, ("TEE-M", 10, 900), ("TEE-L", 4, 950))
    assert await berlin_level(shop, "TEE-M") == (10, 0, 0), "a draft changes no stock"

    async with shop.database.unit_of_work(STAFF) as uow:
        order = await service.order_purchase_order(uow, purchase_order_id=purchase_order_id)
    assert order.status == PurchaseOrderStatus.ORDERED
    assert await berlin_level(shop, "TEE-M") == (10, 0, 10)
    assert await berlin_level(shop, "TEE-L") == (0, 0, 4)

    order = await receive(shop, purchase_order_id, ("TEE-M", 6))
    assert order.status == PurchaseOrderStatus.PARTIALLY_RECEIVED
    assert await berlin_level(shop, "TEE-M") == (16, 0, 4)

    order = await receive(shop, purchase_order_id)  # the rest of everything
    assert order.status == PurchaseOrderStatus.RECEIVED
    assert order.received_at is not None
    assert await berlin_level(shop, "TEE-M") == (20, 0, 0)
    assert await berlin_level(shop, "TEE-L") == (4, 0, 0)
    async with shop.database.session() as session:
        types = (
            (
                await session.execute(
                    select(Event.type)
                    .where(Event.aggregate_type == "purchase_order")
                    .order_by(Event.id)
                )
            )
            .scalars()
            .all()
        )
    assert types == [
        EventType.PURCHASE_ORDER_CREATED,
        EventType.PURCHASE_ORDER_ORDERED,
        EventType.PURCHASE_ORDER_RECEIVED,
        EventType.PURCHASE_ORDER_RECEIVED,
    ]
    await assert_invariants(shop.database)


async def test_receiving_more_than_expected_is_refused_and_receives_nothing(shop: Shop) -> None:
    purchase_order_id = await ordered(shop, ("TEE-M", 5, 900), ("TEE-L", 5, 900))
    await receive(shop, purchase_order_id, ("TEE-M", 3))
    before = await snapshot(shop.database)
    with pytest.raises(OverReceipt) as refused:
        await receive(shop, purchase_order_id, ("TEE-L", 5), ("TEE-M", 3))
    assert refused.value.field == ["lines", "1", "quantity"]
    assert refused.value.data["outstanding"] == 2
    assert await snapshot(shop.database) == before


async def test_a_receipt_averages_the_unit_cost_over_the_stock_it_joins(shop: Shop) -> None:
    # TEE-M: 20 on hand (Berlin and Munich) at 8.00; 10 arrive at 11.00 -> 9.00 each.
    purchase_order_id = await ordered(shop, ("TEE-M", 10, 1100))
    await receive(shop, purchase_order_id)
    async with shop.database.session() as session:
        cost = (
            await session.execute(select(Sku.unit_cost).where(Sku.code == "TEE-M"))
        ).scalar_one()
    assert cost == 900


async def test_a_receipt_fills_backorders_oldest_first(shop: Shop) -> None:
    first = await shop.place(("MUG", 2))
    second = await shop.place(("MUG", 3))
    purchase_order_id = await ordered(shop, ("MUG", 4, 500))
    await receive(shop, purchase_order_id)
    async with shop.database.session() as session:
        lines = {
            line.order_id: (line.quantity_allocated, line.quantity_backordered)
            for line in (await session.execute(select(OrderLine))).scalars()
        }
    assert lines[first.order.id] == (2, 0)
    assert lines[second.order.id] == (2, 1)
    assert await berlin_level(shop, "MUG") == (4, 4, 0)
    await assert_invariants(shop.database)


async def test_backorders_are_promised_from_the_earliest_purchase_orders_that_cover_them(
    shop: Shop,
) -> None:
    soon = utcnow() + timedelta(days=4)
    later = utcnow() + timedelta(days=9)
    await ordered(shop, ("MUG", 3, 500), expected_at=soon)
    await ordered(shop, ("MUG", 5, 500), expected_at=later)
    covered_soon = await shop.place(("MUG", 3))
    covered_later = await shop.place(("MUG", 6))
    not_covered = await shop.place(("MUG", 9))
    async with shop.database.session() as session:
        promised = {
            line.order_id: line.backorder_promised_at
            for line in (await session.execute(select(OrderLine))).scalars()
        }
    assert promised[covered_soon.order.id] == soon
    assert promised[covered_later.order.id] == later
    default = not_covered.order.placed_at + timedelta(days=shop.policy.backorder_lead_days)
    assert promised[not_covered.order.id] == default


async def test_cancelling_takes_what_has_not_arrived_off_the_way(shop: Shop) -> None:
    purchase_order_id = await ordered(shop, ("TEE-M", 10, 900))
    await receive(shop, purchase_order_id, ("TEE-M", 4))
    async with shop.database.unit_of_work(STAFF) as uow:
        order = await service.cancel_purchase_order(
            uow, purchase_order_id=purchase_order_id, reason="supplier out of stock"
        )
    assert (order.status, order.cancel_reason) == (
        PurchaseOrderStatus.CANCELLED,
        "supplier out of stock",
    )
    assert await berlin_level(shop, "TEE-M") == (14, 0, 0)
    await assert_invariants(shop.database)


@pytest.mark.parametrize(
    ("attempt", "error"),
    [
        ({"supplier_code": "NOBODY"}, NotFound),
        ({"lines": [PurchaseLine("TEE-M", -3, 900)]}, InvalidInput),
        ({"lines": [PurchaseLine("TEE-M", 3, -1)]}, InvalidInput),
        ({"lines": [PurchaseLine("NO-SUCH-SKU", 3, 900)]}, NotFound),
        ({"lines": [PurchaseLine("TEE-M", 1, 900), PurchaseLine("TEE-M", 2, 900)]}, InvalidInput),
        ({"lines": []}, InvalidInput),
        ({"expected_at": utcnow() - timedelta(days=30)}, InvalidInput),
        ({"location_id": 999_999}, NotFound),
    ],
)
async def test_bad_purchase_orders_are_refused_and_write_nothing(
    shop: Shop, attempt: dict[str, object], error: type[Exception]
) -> None:
    before = await snapshot(shop.database)
    arguments: dict[str, object] = {
        "supplier_code": "ACME",
        "location_id": shop.berlin.id,
        "lines": [PurchaseLine("TEE-M", 3, 900)],
    } | attempt
    with pytest.raises(error):
        async with shop.database.unit_of_work(STAFF) as uow:
            await service.create_purchase_order(uow, **arguments)  # type: ignore[arg-type]
    assert await snapshot(shop.database) == before


async def test_a_cancelled_purchase_order_cannot_be_received_or_ordered(shop: Shop) -> None:
    purchase_order_id = await draft(shop, ("TEE-M", 10, 900))
    async with shop.database.unit_of_work(STAFF) as uow:
        await service.cancel_purchase_order(uow, purchase_order_id=purchase_order_id, reason="no")
    before = await snapshot(shop.database)
    with pytest.raises(IllegalTransition, match="CANCELLED"):
        await receive(shop, purchase_order_id)
    with pytest.raises(IllegalTransition):
        async with shop.database.unit_of_work(STAFF) as uow:
            await service.order_purchase_order(uow, purchase_order_id=purchase_order_id)
    assert await snapshot(shop.database) == before


async def test_a_draft_cannot_be_received_and_a_supplier_code_is_taken_once(shop: Shop) -> None:
    purchase_order_id = await draft(shop, ("TEE-M", 10, 900))
    with pytest.raises(IllegalTransition, match="DRAFT"):
        await receive(shop, purchase_order_id)
    with pytest.raises(AlreadyExists):
        async with shop.database.unit_of_work(STAFF) as uow:
            await service.create_supplier(uow, code="ACME", name="Again", lead_time_days=3)


async def test_parallel_receipts_of_the_same_units_receive_them_once(pg_database: Database) -> None:
    shop = await shop_with_supplier(pg_database)
    purchase_order_id = await ordered(shop, ("TEE-M", 10, 900))

    async def attempt() -> PurchaseOrder | DomainError:
        try:
            return await receive(shop, purchase_order_id, ("TEE-M", 10))
        except (OverReceipt, IllegalTransition) as refused:  # counted already / all received
            return refused

    results = await asyncio.gather(*(attempt() for _ in range(6)))
    assert sum(isinstance(result, PurchaseOrder) for result in results) == 1
    assert await berlin_level(shop, "TEE-M") == (20, 0, 0)
    await assert_invariants(pg_database)


async def test_a_keyed_receipt_books_its_units_once(shop: Shop) -> None:
    purchase_order_id = await ordered(shop, ("TEE-M", 10, 900))
    first = await receive(shop, purchase_order_id, ("TEE-M", 4), key="asn-1")
    after = await snapshot(shop.database)
    replayed = await receive(shop, purchase_order_id, ("TEE-M", 4), key="asn-1")
    assert (replayed.id, replayed.version) == (first.id, first.version)
    assert await snapshot(shop.database) == after
    with pytest.raises(IdempotencyConflict):
        await receive(shop, purchase_order_id, ("TEE-M", 6), key="asn-1")
    assert await berlin_level(shop, "TEE-M") == (14, 0, 6)
