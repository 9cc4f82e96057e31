"""After placement: cancel (whole or some lines), hold and release."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from api import validation
from api.catalog.models import Sku
from api.db import UnitOfWork
from api.dbtypes import utcnow
from api.errors import InvalidInput, NotFound
from api.events import reactions
from api.idempotency import service as idempotency
from api.inventory import reservations
from api.inventory.models import InventoryLevel, MovementKind
from api.inventory.reservations import Hold
from api.orders import pricing, rules
from api.orders.events import (
    LineCancelled,
    OrderCancelled,
    OrderHeld,
    OrderHoldReleased,
    OrderLinesCancelled,
    OrderStatusChanged,
)
from api.orders.facts import ExchangeCancelled
from api.orders.models import Allocation, Order, OrderLine, order_number
from api.orders.shipments import HOLDING, cancel_empty_shipments
from api.orders.statuses import AllocationStatus, OrderStatus
from api.payments import books, calls
from api.payments import rules as payment_rules
from api.payments.calls import ProviderCall
from api.payments.models import CallKind, Payment, PaymentCall
from api.payments.provider import PaymentProvider
from api.payments.statuses import PaymentStatus
from api.reads import columns


async def lock_order(uow: UnitOfWork, order_id: int) -> Order:
    """The order, locked against concurrent changes until the command ends."""
    return await uow.lock(Order, order_id, what="order", field="orderId")


def move_order_status(uow: UnitOfWork, order: Order, target: OrderStatus, now: datetime) -> None:
    """Moves the order along its lifecycle and records where from and where to."""
    assert order.id is not None
    previous = rules.ORDER.move(order, target, order_number(order.id))
    order.version += 1
    order.updated_at = now
    uow.record(
        OrderStatusChanged(
            order_id=order.id,
            number=order_number(order.id),
            previous=previous.value,
            current=target.value,
        )
    )


async def order_lines_of(uow: UnitOfWork, order_id: int) -> list[OrderLine]:
    result = await uow.session.execute(
        select(OrderLine).where(col(OrderLine.order_id) == order_id).order_by(col(OrderLine.id))
    )
    return list(result.scalars())


async def holding_allocations(uow: UnitOfWork, order_id: int) -> list[Allocation]:
    result = await uow.session.execute(
        select(Allocation)
        .where(
            col(Allocation.order_id) == order_id,
            col(Allocation.status).in_(HOLDING),
        )
        .order_by(col(Allocation.id).desc())
    )
    return list(result.scalars())


async def release_allocations(
    uow: UnitOfWork, releases: list[tuple[Allocation, int]], reference: str
) -> list[reservations.LevelState]:
    """Gives back ``units`` of each allocation's reserved stock, with ledger rows."""
    if not releases:
        return []
    level_ids = await _level_ids(uow, [allocation for allocation, _ in releases])
    holds = [
        Hold(level_ids[(a.location_id, a.sku_id)], a.location_id, a.sku_id, units)
        for a, units in releases
    ]
    states = await reservations.release(uow, holds)
    await reservations.record(uow, holds, MovementKind.RELEASE, reference=reference)
    for allocation, units in releases:
        allocation.quantity -= units
        if allocation.quantity == 0:
            rules.ALLOCATION.move(allocation, AllocationStatus.RELEASED, allocation.id)
    return states


async def _level_ids(uow: UnitOfWork, allocations: list[Allocation]) -> dict[tuple[int, int], int]:
    keys = {(a.location_id, a.sku_id) for a in allocations}
    level = columns(InventoryLevel)
    rows = await uow.session.execute(
        select(level.location_id, level.sku_id, level.id).where(
            level.location_id.in_({k[0] for k in keys}), level.sku_id.in_({k[1] for k in keys})
        )
    )
    return {(location_id, sku_id): level_id for location_id, sku_id, level_id in rows.all()}


async def sku_codes(uow: UnitOfWork, sku_ids: set[int]) -> dict[int, str]:
    sku = columns(Sku)
    rows = await uow.session.execute(select(sku.id, sku.code).where(sku.id.in_(sku_ids)))
    return {sku_id: code for sku_id, code in rows.all()}


@dataclass(frozen=True)
class LineCancellation:
    line_id: int
    quantity: int


async def payment_of(uow: UnitOfWork, order_id: int) -> Payment:
    return (
        await uow.session.execute(select(Payment).where(col(Payment.order_id) == order_id))
    ).scalar_one()


async def cancel_order(
    uow: UnitOfWork,
    payments: PaymentProvider,
    *,
    order_id: int,
    reason: str,
    lines: list[LineCancellation] | None = None,
    idempotency_key: str | None = None,
) -> Order:
    """Cancels what is not shipped: the whole order, or some units of some lines.

    Reserved stock goes back, backorders are dropped, totals are recomputed; a whole
    cancellation voids the authorisation."""
    reason = validation.text(reason, "reason")
    order = await lock_order(uow, order_id)
    request = _cancellation_request(order_id, reason, lines)
    if first := await idempotency.first_row(uow, Order, idempotency_key, "cancelOrder", request):
        return first
    number = order_number(order_id)
    rules.ORDER.check(order, OrderStatus.CANCELLED, number, doing="cancelled")
    order_lines = await order_lines_of(uow, order_id)
    wanted = _cancellation_targets(order_lines, lines)
    states = await _take_back(uow, order_id, order_lines, wanted, number)
    await cancel_empty_shipments(uow, order_id, reason=reason)
    codes = await sku_codes(uow, {line.sku_id for line in order_lines})
    everything = all(
        line.quantity_allocated + line.quantity_backordered == 0 for line in order_lines
    )
    payment = await payment_of(uow, order_id)
    _recompute_totals(order, order_lines)
    now = utcnow()
    void: PaymentCall | None = None
    if everything:
        void = await _cancel_whole(uow, order, payment, reason, now)
    else:
        payment_rules.require_credit_covered(order.total, payment.amount_credited, number)
    order.version += 1
    order.updated_at = now
    cancelled = OrderCancelled if everything else OrderLinesCancelled
    uow.record(
        cancelled(
            order_id=order_id,
            number=number,
            reason=reason,
            status=order.status,
            lines=[
                LineCancelled(line_id=line_id, quantity=units)
                for line_id, units in wanted.items()
                if units
            ],
            total=order.total,
            levels=[state.held(codes[state.sku_id]) for state in states],
        )
    )
    await idempotency.remember_row(uow, idempotency_key, order_id)
    await uow.commit()
    if void is not None:
        await calls.perform_scheduled(uow.database, payments, void)
    return order


def _cancellation_request(
    order_id: int, reason: str, lines: list[LineCancellation] | None
) -> dict[str, Any]:
    """What an idempotency key stands for: the same key with another request is refused."""
    return {
        "orderId": order_id,
        "reason": reason,
        "lines": [[line.line_id, line.quantity] for line in lines] if lines is not None else None,
    }


async def _take_back(
    uow: UnitOfWork,
    order_id: int,
    order_lines: list[OrderLine],
    wanted: dict[int, int],
    number: str,
) -> list[reservations.LevelState]:
    """Cancels the wanted units, backordered ones first, and releases the stock held for the
    rest; the levels released."""
    allocations = await holding_allocations(uow, order_id)
    releases: list[tuple[Allocation, int]] = []
    for line in order_lines:
        units = wanted.get(line.id, 0)  # type: ignore[arg-type]
        from_backorder = min(units, line.quantity_backordered)
        line.quantity_backordered -= from_backorder
        from_stock = units - from_backorder
        line.quantity_allocated -= from_stock
        line.quantity_cancelled += units
        for allocation in allocations:
            if from_stock == 0:
                break
            if allocation.order_line_id == line.id and allocation.quantity > 0:
                take = min(from_stock, allocation.quantity)
                releases.append((allocation, take))
                from_stock -= take
    return await release_allocations(uow, releases, reference=number)


async def _cancel_whole(
    uow: UnitOfWork, order: Order, payment: Payment, reason: str, now: datetime
) -> PaymentCall | None:
    """Cancels the order and voids its payment; the void to make once this is committed."""
    assert order.id is not None
    number = order_number(order.id)
    if payment.amount_credited and order.exchange_for_return_id is not None:
        await reactions.announce(uow, ExchangeCancelled(order.exchange_for_return_id, number, now))
        payment.amount_credited = 0
    rules.ORDER.move(order, OrderStatus.CANCELLED, number)
    order.cancel_reason = reason
    order.cancelled_at = now
    void = None
    if payment.amount_authorized:  # a fully credited order authorised nothing
        # Released once the cancellation is committed (``api.payments.calls``).
        void = calls.schedule(
            uow,
            ProviderCall(
                CallKind.VOID,
                f"void:order:{order.id}",
                payment.amount_authorized,
                payment.currency,
                order_id=order.id,
                authorization_reference=payment.authorization_reference,
            ),
        )
    books.void(uow, payment, now)
    order.payment_status = PaymentStatus.VOIDED
    return void


def _cancellation_targets(
    order_lines: list[OrderLine], lines: list[LineCancellation] | None
) -> dict[int, int]:
    open_units = {
        line.id: line.quantity_allocated - line.quantity_fulfilled + line.quantity_backordered
        for line in order_lines
    }
    if lines is None:
        return {line_id: units for line_id, units in open_units.items() if units}  # type: ignore[misc]
    wanted: dict[int, int] = {}
    for index, cancellation in enumerate(lines):
        if cancellation.line_id not in open_units:
            raise NotFound("order line", cancellation.line_id, field=["lines", str(index)])
        wanted[cancellation.line_id] = wanted.get(cancellation.line_id, 0) + cancellation.quantity
        if (
            cancellation.quantity < 1
            or wanted[cancellation.line_id] > open_units[cancellation.line_id]
        ):
            raise InvalidInput(
                f"between 1 and {open_units[cancellation.line_id]} units of this line can be "
                "cancelled",
                field=["lines", str(index), "quantity"],
            )
    return wanted


def _recompute_totals(order: Order, order_lines: list[OrderLine]) -> None:
    active = [(line.unit_price, line.quantity - line.quantity_cancelled) for line in order_lines]
    shipping = 0 if not any(quantity for _, quantity in active) else order.shipping_total
    totals = pricing.totals(active, shipping, order.ship_country)
    order.subtotal, order.shipping_total, order.tax_total = (
        totals.subtotal,
        totals.shipping,
        totals.tax,
    )
    order.total = totals.total


async def hold_order(uow: UnitOfWork, *, order_id: int, reason: str) -> Order:
    reason = validation.text(reason, "reason")
    order = await lock_order(uow, order_id)
    order.status_before_hold = rules.ORDER.move(order, OrderStatus.ON_HOLD, order_number(order_id))
    order.hold_reason = reason
    order.version += 1
    order.updated_at = utcnow()
    uow.record(
        OrderHeld(
            order_id=order_id, number=order_number(order_id), reason=reason, status=order.status
        )
    )
    await uow.commit()
    return order


async def release_order_hold(uow: UnitOfWork, *, order_id: int) -> Order:
    order = await lock_order(uow, order_id)
    held_in = OrderStatus(order.status_before_hold or OrderStatus.CONFIRMED)
    rules.ORDER.move(order, held_in, order_number(order_id), doing="released")
    order.status_before_hold = None
    order.hold_reason = None
    order.version += 1
    order.updated_at = utcnow()
    uow.record(
        OrderHoldReleased(order_id=order_id, number=order_number(order_id), status=order.status)
    )
    await uow.commit()
    return order
