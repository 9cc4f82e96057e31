"""Returns: requested by staff or the customer, decided by staff, received with a disposition
that puts each unit in the right inventory state."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlmodel import col

from api import validation
from api.catalog.models import Sku
from api.db import UnitOfWork
from api.dbtypes import utcnow
from api.errors import IllegalTransition, InvalidInput, NotFound
from api.locations.models import Location
from api.orders.changes import lock_order, order_lines_of
from api.orders.models import Allocation, Order, OrderLine, Shipment, order_number
from api.orders.requests import address_of
from api.orders.routing import locate_destination
from api.orders.statuses import AllocationStatus, OrderStatus
from api.returns.events import DECIDED, LineToReturn, ReturnRequested
from api.returns.models import (
    Return,
    ReturnDisposition,
    ReturnLabel,
    ReturnLine,
    ReturnReason,
    ReturnResolution,
)
from api.returns.rules import RETURN
from api.returns.statuses import ReturnStatus
from api.shipping.carriers import CarrierAdapter, LabelRequest, choose_service
from api.shipping.rates import Point, distance_km
from api.writes import insert_row

RETURNABLE_ORDERS = (
    OrderStatus.PARTIALLY_SHIPPED,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
)
OPEN_RETURNS = (ReturnStatus.REQUESTED, ReturnStatus.APPROVED)


@dataclass(frozen=True)
class ReturnLineRequest:
    order_line_id: int
    quantity: int
    reason: ReturnReason


async def returned_goods(uow: UnitOfWork, return_id: int, order_id: int) -> int:
    """What the units received back were paid, at the order's prices, tax aside (units
    reported missing are not back)."""
    prices = {line.id: line.unit_price for line in await order_lines_of(uow, order_id)}
    statement = select(ReturnLine).where(col(ReturnLine.return_id) == return_id)
    return sum(
        line.quantity_received * prices[line.order_line_id]
        for line in (await uow.session.execute(statement)).scalars()
        if line.disposition != ReturnDisposition.MISSING
    )


async def lock_return(uow: UnitOfWork, return_id: int) -> Return:
    return await uow.lock(Return, return_id, what="return", field="returnId")


async def _sent_at(uow: UnitOfWork, order_id: int) -> datetime | None:
    """When the order's goods last reached the customer (or left, if not reported delivered)."""
    row = (
        await uow.session.execute(
            select(func.max(col(Shipment.delivered_at)), func.max(col(Shipment.shipped_at))).where(
                col(Shipment.order_id) == order_id
            )
        )
    ).one()
    delivered, shipped = row
    return delivered or shipped


async def _pending(uow: UnitOfWork, order_id: int) -> dict[int, int]:
    """Units per order line already asked back in returns not yet received."""
    rows = await uow.session.execute(
        select(col(ReturnLine.order_line_id), func.sum(col(ReturnLine.quantity)))
        .join(Return, col(Return.id) == col(ReturnLine.return_id))
        .where(col(Return.order_id) == order_id, col(Return.status).in_(OPEN_RETURNS))
        .group_by(col(ReturnLine.order_line_id))
    )
    return {line_id: int(units) for line_id, units in rows.all()}


async def request_return(
    uow: UnitOfWork,
    *,
    order_id: int,
    lines: Sequence[ReturnLineRequest],
    resolution: ReturnResolution,
    window: timedelta,
) -> Return:
    """Asks for units back: only what was shipped, not yet returned or asked back, and within
    the return window from delivery (or shipping when delivery is not reported)."""
    order = await lock_order(uow, order_id)
    number = order_number(order_id)
    now = utcnow()
    await _require_returnable(uow, order, window, now)
    if not lines:
        raise InvalidInput("name at least one line", field=["lines"])
    order_lines = {line.id: line for line in await order_lines_of(uow, order_id)}
    _check_units_asked(lines, order_lines, await _pending(uow, order_id))
    requested = Return(
        order_id=order_id,
        resolution=resolution,
        requested_by=uow.actor,
        created_at=now,
        updated_at=now,
    )
    return_id = await insert_row(uow.session, requested)
    for wanted in lines:
        line = order_lines[wanted.order_line_id]
        uow.session.add(
            ReturnLine(
                return_id=return_id,
                order_line_id=wanted.order_line_id,
                sku_id=line.sku_id,
                quantity=wanted.quantity,
                reason=wanted.reason,
            )
        )
    uow.record(
        ReturnRequested(
            order_id=order_id,
            number=number,
            return_id=return_id,
            resolution=resolution.value,
            lines=[
                LineToReturn(order_line_id=w.order_line_id, quantity=w.quantity, reason=w.reason)
                for w in lines
            ],
        )
    )
    await uow.commit()
    return requested


async def _require_returnable(
    uow: UnitOfWork, order: Order, window: timedelta, now: datetime
) -> None:
    """The order has shipped goods, and its return window is still open."""
    assert order.id is not None
    if OrderStatus(order.status) not in RETURNABLE_ORDERS:
        raise IllegalTransition(
            f"order {order_number(order.id)} is {order.status}: "
            "only shipped or delivered orders take returns",
            field=["orderId"],
        )
    sent = await _sent_at(uow, order.id)
    if sent is not None and now - sent > window:
        raise InvalidInput(
            f"the return window of {window.days} days closed on {(sent + window).date()}",
            field=["orderId"],
        )


def _check_units_asked(
    lines: Sequence[ReturnLineRequest],
    order_lines: Mapping[int | None, OrderLine],
    pending: Mapping[int, int],
) -> None:
    """Each line named once, for 1 up to the units shipped and neither returned nor asked
    back already."""
    asked: set[int] = set()
    for index, wanted in enumerate(lines):
        field = ["lines", str(index)]
        line = order_lines.get(wanted.order_line_id)
        if line is None:
            raise NotFound("order line", wanted.order_line_id, field=[*field, "orderLineId"])
        if wanted.order_line_id in asked:
            raise InvalidInput("name each order line once", field=[*field, "orderLineId"])
        returnable = (
            line.quantity_fulfilled - line.quantity_returned - pending.get(wanted.order_line_id, 0)
        )
        if not 1 <= wanted.quantity <= returnable:
            raise InvalidInput(
                f"1 to {returnable} units of this line can be returned"
                if returnable
                else "no units of this line can be returned",
                field=[*field, "quantity"],
            )
        asked.add(wanted.order_line_id)


async def approve_return(
    uow: UnitOfWork, carriers: Mapping[str, CarrierAdapter], *, return_id: int
) -> Return:
    """Accepts the return and books the customer's prepaid label back to the location the
    goods shipped from."""
    found = await lock_return(uow, return_id)
    RETURN.check(found, ReturnStatus.APPROVED, return_id, doing="approved")
    await _book_return_label(uow, carriers, found)
    return await _decide(uow, found, ReturnStatus.APPROVED, None)


async def _book_return_label(
    uow: UnitOfWork, carriers: Mapping[str, CarrierAdapter], found: Return
) -> None:
    assert found.id is not None
    order = await uow.session.get(Order, found.order_id)
    assert order is not None
    rows = (
        await uow.session.execute(
            select(ReturnLine, Sku)
            .join(Sku, col(Sku.id) == col(ReturnLine.sku_id))
            .where(col(ReturnLine.return_id) == found.id)
            .order_by(col(ReturnLine.id))
        )
    ).all()
    location_id = await shipped_from(uow, rows[0][0].order_line_id)
    location = await uow.session.get(Location, location_id) if location_id else None
    if location is None:
        raise IllegalTransition("nothing of this return was shipped", field=["returnId"])
    weight = sum(line.quantity * sku.weight_grams for line, sku in rows)
    distance = distance_km(
        locate_destination(address_of(order)), Point(location.latitude, location.longitude)
    )
    chosen = choose_service(distance, weight, None)
    label = await carriers[chosen.carrier].create_label(
        LabelRequest(
            shipment_id=found.id,
            order_number=order_number(found.order_id),
            service=chosen,
            ship_from=[
                order.ship_name,
                order.ship_line1,
                f"{order.ship_postal_code} {order.ship_city}",
            ],
            ship_to=[location.name, location.line1, f"{location.postal_code} {location.city}"],
            packages=1,
            weight_grams=weight,
            is_return=True,
        )
    )
    uow.session.add(
        ReturnLabel(
            return_id=found.id,
            carrier=chosen.carrier,
            tracking_number=label.tracking_number,
            pdf=label.pdf,
            created_at=utcnow(),
        )
    )


async def close_return(uow: UnitOfWork, *, return_id: int) -> Return:
    """Files a return whose story is over: rejected, refunded, exchanged, or received and kept
    without either."""
    found = await lock_return(uow, return_id)
    RETURN.check(found, ReturnStatus.CLOSED, return_id, doing="closed")
    return await _decide(uow, found, ReturnStatus.CLOSED, found.reject_reason)


async def reject_return(uow: UnitOfWork, *, return_id: int, reason: str) -> Return:
    reason = validation.text(reason, "reason")
    found = await lock_return(uow, return_id)
    RETURN.check(found, ReturnStatus.REJECTED, return_id, doing="rejected")
    return await _decide(uow, found, ReturnStatus.REJECTED, reason)


async def _decide(
    uow: UnitOfWork, found: Return, status: ReturnStatus, reason: str | None
) -> Return:
    now = utcnow()
    RETURN.move(found, status, found.id)
    found.reject_reason = reason
    if status in (ReturnStatus.APPROVED, ReturnStatus.REJECTED):
        found.decided_at = now
    found.version += 1
    found.updated_at = now
    assert found.id is not None
    decided = DECIDED[status]
    uow.record(
        decided(
            order_id=found.order_id,
            number=order_number(found.order_id),
            return_id=found.id,
            reason=reason,
        )
    )
    await uow.commit()
    return found


async def shipped_from(uow: UnitOfWork, order_line_id: int) -> int | None:
    return (
        await uow.session.execute(
            select(col(Allocation.location_id))
            .where(
                col(Allocation.order_line_id) == order_line_id,
                col(Allocation.status) == AllocationStatus.SHIPPED,
            )
            .order_by(col(Allocation.id))
            .limit(1)
        )
    ).scalar_one_or_none()
