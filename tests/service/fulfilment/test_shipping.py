"""Pack, ship and track: stock leaves once, money is captured once, orders follow."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from api.db import Database
from api.dbtypes import utcnow
from api.errors import IllegalTransition, InvalidInput, NotFound
from api.fulfilment.confirming import PickConfirmation, confirm_picks
from api.fulfilment.models import Package, PickList, PickTask, ShippingLabel, TrackingEvent
from api.fulfilment.packing import PackageSpec, pack_shipment
from api.fulfilment.picking import create_pick_list
from api.fulfilment.shipping import ship_shipment
from api.fulfilment.tracking import record_tracking_event
from api.orders.changes import cancel_order
from api.orders.models import Order, OrderLine, Shipment
from api.orders.statuses import ShipmentStatus
from api.payments.models import Payment, PaymentTransaction
from api.payments.provider import TestPaymentProvider
from api.shipping.carriers import BUILT_IN, SimulatedCarrier, choose_service
from tests.factories import receive
from tests.invariants import assert_invariants
from tests.service.fulfilment.conftest import Warehouse
from tests.service.fulfilment.test_picking import level


async def picked(warehouse: Warehouse, location_id: int) -> list[Shipment]:
    """Waves every waiting shipment at the location and picks it in full."""
    async with warehouse.database.unit_of_work("staff:picker") as uow:
        pick_list = await create_pick_list(uow, location_id=location_id)
    async with warehouse.database.session() as session:
        tasks = list(
            (
                await session.execute(select(PickTask).where(PickTask.pick_list_id == pick_list.id))
            ).scalars()
        )
    async with warehouse.database.unit_of_work("staff:picker") as uow:
        await confirm_picks(
            uow,
            pick_list_id=pick_list.id,  # type: ignore[arg-type]
            picks=[PickConfirmation(t.id, t.quantity) for t in tasks],  # type: ignore[arg-type]
            policy=warehouse.policy,
        )
    async with warehouse.database.session() as session:
        return list(
            (
                await session.execute(
                    select(Shipment)
                    .where(Shipment.pick_list_id == pick_list.id)
                    .order_by(Shipment.id)
                )
            ).scalars()
        )


async def pack(database: Database, shipment_id: int, scanned: list[str] | None = None) -> Shipment:
    async with database.unit_of_work("staff:packer") as uow:
        return await pack_shipment(
            uow,
            shipment_id=shipment_id,
            packages=[PackageSpec(1200, 30, 20, 10)],
            scanned_skus=scanned,
        )


async def ship(database: Database, shipment_id: int, **choice: str) -> Shipment:
    async with database.unit_of_work("staff:packer") as uow:
        return await ship_shipment(
            uow, TestPaymentProvider(), BUILT_IN, shipment_id=shipment_id, **choice
        )


START = utcnow().replace(microsecond=0)


async def track(
    database: Database, number: str, status: ShipmentStatus, minutes_ago: int
) -> Shipment:
    async with database.unit_of_work("carrier") as uow:
        return await record_tracking_event(
            uow,
            tracking_number=number,
            status=status,
            occurred_at=START - timedelta(minutes=minutes_ago),
            description="hub",
        )


async def count(database: Database, table: type) -> int:
    async with database.session() as session:
        return int((await session.execute(select(func.count()).select_from(table))).scalar_one())


async def test_pack_ship_track_deliver(warehouse: Warehouse) -> None:
    placed = await warehouse.place(("S1", 2))
    (shipment,) = await picked(warehouse, warehouse.berlin.id)  # type: ignore[arg-type]
    packed = await pack(warehouse.database, shipment.id, ["S1", "S1"])  # type: ignore[arg-type]
    assert packed.status == "PACKED"
    shipped = await ship(warehouse.database, shipment.id)  # type: ignore[arg-type]
    assert shipped.status == "SHIPPED"
    carrier = BUILT_IN[shipped.carrier]  # type: ignore[index]
    assert isinstance(carrier, SimulatedCarrier)
    assert shipped.tracking_number == carrier.tracking_number(shipment.id)  # type: ignore[arg-type]
    assert shipped.shipping_cost > 0 and shipped.estimated_delivery_at is not None
    berlin = await level(warehouse.database, warehouse.berlin.id, "S1")  # type: ignore[arg-type]
    assert (berlin.on_hand, berlin.reserved) == (8, 0)
    async with warehouse.database.session() as session:
        order = await session.get(Order, placed.order.id)
        line = (await session.execute(select(OrderLine))).scalar_one()
        payment = (await session.execute(select(Payment))).scalar_one()
        label = (await session.execute(select(ShippingLabel))).scalar_one()
    assert order is not None
    assert (order.status, order.fulfilment_status, order.payment_status) == (
        "SHIPPED",
        "FULFILLED",
        "PAID",
    )
    assert line.quantity_fulfilled == 2
    assert payment.amount_captured == order.total
    assert label.pdf.startswith(b"%PDF")

    again = await ship(warehouse.database, shipment.id)  # type: ignore[arg-type]
    assert again.tracking_number == shipped.tracking_number
    async with warehouse.database.session() as session:
        captures = (
            await session.execute(
                select(func.count())
                .select_from(PaymentTransaction)
                .where(PaymentTransaction.kind == "CAPTURE")
            )
        ).scalar_one()
    assert captures == 1

    number = shipped.tracking_number
    assert number is not None
    await track(warehouse.database, number, ShipmentStatus.IN_TRANSIT, 30)
    await track(warehouse.database, number, ShipmentStatus.IN_TRANSIT, 30)  # the same report again
    delivered = await track(warehouse.database, number, ShipmentStatus.DELIVERED, 5)
    assert delivered.status == "DELIVERED"
    late = await track(warehouse.database, number, ShipmentStatus.OUT_FOR_DELIVERY, 10)
    assert late.status == "DELIVERED"  # an older report is history, not a step back
    async with warehouse.database.session() as session:
        order = await session.get(Order, placed.order.id)
    assert order is not None and order.status == "DELIVERED"
    assert await count(warehouse.database, TrackingEvent) == 3
    await assert_invariants(warehouse.database)


async def test_a_split_order_captures_its_total_across_shipments(warehouse: Warehouse) -> None:
    await receive(warehouse.database, warehouse.munich, "S4", 5)
    placed = await warehouse.place(
        ("S1", 1), ("S4", 12)
    )  # Berlin has 10 of S4: Munich sends the rest
    berlin_shipment = (await picked(warehouse, warehouse.berlin.id))[0]
    munich_shipment = (await picked(warehouse, warehouse.munich.id))[0]
    await pack(warehouse.database, berlin_shipment.id)  # type: ignore[arg-type]
    first = await ship(warehouse.database, berlin_shipment.id)  # type: ignore[arg-type]
    async with warehouse.database.session() as session:
        order = await session.get(Order, placed.order.id)
        payment = (await session.execute(select(Payment))).scalar_one()
    assert order is not None and first.status == "SHIPPED"
    assert (order.status, order.payment_status) == ("PARTIALLY_SHIPPED", "PARTIALLY_PAID")
    assert 0 < payment.amount_captured < order.total
    await pack(warehouse.database, munich_shipment.id)  # type: ignore[arg-type]
    await ship(warehouse.database, munich_shipment.id)  # type: ignore[arg-type]
    async with warehouse.database.session() as session:
        order = await session.get(Order, placed.order.id)
        payment = (await session.execute(select(Payment))).scalar_one()
    assert order is not None
    assert (order.status, order.payment_status) == ("SHIPPED", "PAID")
    assert payment.amount_captured == order.total
    await assert_invariants(warehouse.database)


async def test_a_wrong_item_or_a_missing_scan_stops_packing(warehouse: Warehouse) -> None:
    await warehouse.place(("S1", 2))
    (shipment,) = await picked(warehouse, warehouse.berlin.id)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput) as wrong:
        await pack(warehouse.database, shipment.id, ["S1", "S2"])  # type: ignore[arg-type]
    assert wrong.value.field == ["scannedSkus", "1"]
    with pytest.raises(InvalidInput) as short:
        await pack(warehouse.database, shipment.id, ["S1"])  # type: ignore[arg-type]
    assert short.value.field == ["scannedSkus"]
    assert await count(warehouse.database, Package) == 0
    async with warehouse.database.session() as session:
        stored = await session.get(Shipment, shipment.id)
    assert stored is not None and stored.status == "PICKING"


async def test_out_of_order_steps_are_refused(warehouse: Warehouse) -> None:
    placed = await warehouse.place(("S1", 1))
    async with warehouse.database.session() as session:
        shipment = (await session.execute(select(Shipment))).scalar_one()
    with pytest.raises(IllegalTransition):
        await pack(warehouse.database, shipment.id)  # type: ignore[arg-type]  # not picked yet
    with pytest.raises(IllegalTransition):
        await ship(warehouse.database, shipment.id)  # type: ignore[arg-type]  # not packed
    async with warehouse.database.unit_of_work("staff:1") as uow:
        await cancel_order(
            uow,
            TestPaymentProvider(),
            order_id=placed.order.id,
            reason="changed mind",  # type: ignore[arg-type]
        )
    async with warehouse.database.session() as session:
        cancelled = await session.get(Shipment, shipment.id)
    assert cancelled is not None and cancelled.status == "CANCELLED"
    with pytest.raises(IllegalTransition):
        await ship(warehouse.database, shipment.id)  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        await track(warehouse.database, "RR00000000000", ShipmentStatus.IN_TRANSIT, 1)
    assert await count(warehouse.database, PickList) == 0
    await assert_invariants(warehouse.database)


def test_the_cheapest_service_that_keeps_the_promise() -> None:
    relaxed = choose_service(300.0, 900, days_left=5)
    assert (relaxed.carrier, relaxed.service) == ("ROADRUNNER", "ECONOMY")
    tight = choose_service(300.0, 900, days_left=1)
    assert (tight.carrier, tight.service, tight.transit_days) == ("SWIFTPOST", "EXPRESS", 1)
    named = choose_service(300.0, 2500, days_left=5, carrier="swiftpost", service="standard")
    assert (named.service, named.price) == ("STANDARD", 529 + 2 * 60)
    with pytest.raises(InvalidInput):
        choose_service(300.0, 900, days_left=5, carrier="NOPE")
