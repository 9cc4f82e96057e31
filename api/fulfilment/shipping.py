"""Shipping a packed shipment: carrier service, label, stock out of the building, payment
captured for what left."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlmodel import col

from api.db import UnitOfWork
from api.dbtypes import utcnow
from api.fulfilment.events import ShipmentShipped
from api.fulfilment.models import Package, ShippingLabel
from api.fulfilment.packing import lock_shipment, shipment_contents
from api.inventory.ledger import change_level, record_movements
from api.inventory.models import MovementKind
from api.inventory.statuses import InventoryBucket
from api.locations.models import Location
from api.orders import pricing
from api.orders.changes import lock_order, move_order_status, order_lines_of, payment_of
from api.orders.models import Allocation, Order, OrderLine, Shipment, order_number
from api.orders.requests import address_of
from api.orders.routing import locate_destination
from api.orders.rules import ALLOCATION, NOT_YET_SHIPPED, SHIPMENT
from api.orders.shipments import HOLDING
from api.orders.statuses import AllocationStatus, FulfilmentStatus, OrderStatus, ShipmentStatus
from api.payments import books, calls
from api.payments import rules as payment_rules
from api.payments.calls import ProviderCall
from api.payments.models import CallKind, Payment
from api.payments.provider import PaymentProvider
from api.shipping.carriers import CarrierAdapter, LabelRequest, Quote, choose_service
from api.shipping.rates import Point, distance_km


async def ship_shipment(
    uow: UnitOfWork,
    payments: PaymentProvider,
    carriers: Mapping[str, CarrierAdapter],
    *,
    shipment_id: int,
    carrier: str | None = None,
    service: str | None = None,
) -> Shipment:
    """Hands a packed shipment to the carrier. Shipping it again answers the shipment as it
    is: nothing is booked or captured twice."""
    shipment = await lock_shipment(uow, shipment_id)
    status = ShipmentStatus(shipment.status)
    if status not in NOT_YET_SHIPPED and status is not ShipmentStatus.CANCELLED:
        await uow.commit()  # nothing changed; ends the command like any other
        return shipment
    SHIPMENT.require(status, ShipmentStatus.SHIPPED, shipment_id)
    order = await lock_order(uow, shipment.order_id)
    number = order_number(shipment.order_id)
    location = await uow.session.get(Location, shipment.location_id)
    assert location is not None
    weight, packages = await _parcels(uow, shipment_id)
    now = utcnow()
    destination = locate_destination(address_of(order))
    distance = distance_km(Point(location.latitude, location.longitude), destination)
    days_left = (order.promised_at - now) // timedelta(days=1) if order.promised_at else None
    chosen = choose_service(distance, weight, days_left, carrier=carrier, service=service)
    label = await carriers[chosen.carrier].create_label(
        LabelRequest(
            shipment_id=shipment_id,
            order_number=number,
            service=chosen,
            ship_from=[location.name, location.line1, f"{location.postal_code} {location.city}"],
            ship_to=_ship_to(order),
            packages=packages,
            weight_grams=weight,
        )
    )
    lines = {line.id: line for line in await order_lines_of(uow, order.id)}  # type: ignore[arg-type]
    shipped_value, shipped_units = await _ship_stock(uow, shipment_id, lines, number)
    everything_shipped = await _nothing_left(uow, order.id, lines)  # type: ignore[arg-type]
    first = sum(line.quantity_fulfilled for line in lines.values()) == shipped_units
    captured = await _collect(
        uow, payments, order, shipment_id, shipped_value, first, everything_shipped, now
    )
    _mark_shipped(shipment, chosen, label.tracking_number, now)
    uow.session.add(ShippingLabel(shipment_id=shipment_id, pdf=label.pdf, created_at=now))
    _advance_order(uow, order, everything_shipped, now)
    uow.record(
        ShipmentShipped(
            shipment_id=shipment_id,
            order_id=shipment.order_id,
            carrier=chosen.carrier,
            service=chosen.service,
            tracking_number=label.tracking_number,
            shipping_cost=chosen.price,
            captured=captured,
        )
    )
    await uow.commit()
    return shipment


async def _parcels(uow: UnitOfWork, shipment_id: int) -> tuple[int, int]:
    """The shipment's packed weight in grams and its number of packages."""
    weight, packages = (
        await uow.session.execute(
            select(
                func.coalesce(func.sum(col(Package.weight_grams)), 0), func.count(col(Package.id))
            ).where(col(Package.shipment_id) == shipment_id)
        )
    ).one()
    return int(weight), int(packages)


def _ship_to(order: Order) -> list[str]:
    return [
        order.ship_name,
        order.ship_line1,
        *([order.ship_line2] if order.ship_line2 else []),
        f"{order.ship_postal_code} {order.ship_city}",
        order.ship_country,
    ]


async def _collect(
    uow: UnitOfWork,
    payments: PaymentProvider,
    order: Order,
    shipment_id: int,
    shipped_value: int,
    first: bool,
    everything_shipped: bool,
    now: datetime,
) -> int:
    """Captures what the shipment owes the order's payment; the amount captured."""
    payment = await payment_of(uow, order.id)  # type: ignore[arg-type]
    amount = _capture_amount(order, payment, shipped_value, first, everything_shipped)
    if amount:
        # Keyed by the shipment and what it captures: shipping it again after a failed commit
        # captures nothing more (``api.payments.calls``).
        reference = await calls.make_and_settle(
            uow,
            payments,
            ProviderCall(
                CallKind.CAPTURE,
                f"capture:shipment:{shipment_id}:{amount}",
                amount,
                payment.currency,
                order_id=order.id,
                authorization_reference=payment.authorization_reference,
            ),
        )
        record_capture(uow, order, payment, amount, reference, now)
    elif payment_rules.is_paid(order.total, payment.amount_captured, payment.amount_credited):
        # Wholly by an exchanged return's credit.
        order.payment_status = payment_rules.status_after_capture(
            order.total, books.amounts_of(payment)
        )
    return amount


def _mark_shipped(shipment: Shipment, chosen: Quote, tracking_number: str, now: datetime) -> None:
    SHIPMENT.move(shipment, ShipmentStatus.SHIPPED, shipment.id)
    shipment.carrier = chosen.carrier
    shipment.service = chosen.service
    shipment.tracking_number = tracking_number
    shipment.shipping_cost = chosen.price
    shipment.estimated_delivery_at = now + timedelta(days=chosen.transit_days)
    shipment.shipped_at = now
    shipment.version += 1
    shipment.updated_at = now


async def _ship_stock(
    uow: UnitOfWork, shipment_id: int, lines: dict[int | None, OrderLine], number: str
) -> tuple[int, int]:
    """Picked units leave on_hand and reserved; returns their value at the order's prices
    and how many they are."""
    value = units_shipped = 0
    for allocation, _sku in await shipment_contents(uow, shipment_id):
        if allocation.status != AllocationStatus.PICKED:
            continue
        units = allocation.quantity
        deltas = {InventoryBucket.ON_HAND: -units, InventoryBucket.RESERVED: -units}
        level = await change_level(uow, allocation.location_id, allocation.sku_id, deltas)
        assert level is not None, "picked stock is always on a level"
        await record_movements(uow, level, deltas, MovementKind.SHIPMENT, reference=number)
        ALLOCATION.move(allocation, AllocationStatus.SHIPPED, allocation.id)
        line = lines[allocation.order_line_id]
        line.quantity_fulfilled += units
        value += units * line.unit_price
        units_shipped += units
    return value, units_shipped


async def _nothing_left(uow: UnitOfWork, order_id: int, lines: dict[int | None, OrderLine]) -> bool:
    """After this shipment: no stock held for the order and nothing backordered."""
    await uow.session.flush()
    holding = (
        await uow.session.execute(
            select(func.count())
            .select_from(Allocation)
            .where(col(Allocation.order_id) == order_id, col(Allocation.status).in_(HOLDING))
        )
    ).scalar_one()
    return holding == 0 and all(line.quantity_backordered == 0 for line in lines.values())


def _capture_amount(order: Order, payment: Payment, goods: int, first: bool, last: bool) -> int:
    """Goods shipped, the shipping charge with the first shipment, tax on both, less the
    share an exchanged return's credit pays (``rules.shipment_capture``)."""
    shipping = order.shipping_total if first else 0
    due = goods + shipping + pricing.tax_on(goods + shipping, order.ship_country)
    return payment_rules.shipment_capture(due, order.total, books.amounts_of(payment), last=last)


def record_capture(
    uow: UnitOfWork, order: Order, payment: Payment, amount: int, reference: str, now: datetime
) -> None:
    """A capture the provider made, on the books and in the order's payment status."""
    books.capture(uow, payment, amount, reference, now)
    order.payment_status = payment_rules.status_after_capture(
        order.total, books.amounts_of(payment)
    )


def _advance_order(uow: UnitOfWork, order: Order, everything_shipped: bool, now: datetime) -> None:
    target = OrderStatus.SHIPPED if everything_shipped else OrderStatus.PARTIALLY_SHIPPED
    order.fulfilment_status = (
        FulfilmentStatus.FULFILLED if everything_shipped else FulfilmentStatus.PARTIALLY_FULFILLED
    )
    if order.status == target:
        order.version += 1
        order.updated_at = now
        return
    move_order_status(uow, order, target, now)
