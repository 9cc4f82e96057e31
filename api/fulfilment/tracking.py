"""The carrier's reports: each moves its shipment along, and the order with its shipments."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlmodel import col

from api import validation
from api.db import UnitOfWork
from api.dbtypes import utcnow
from api.errors import InvalidInput, NotFound
from api.fulfilment.events import FeedbackRequested, ShipmentDelivered, ShipmentTrackingUpdated
from api.fulfilment.models import TrackingEvent
from api.orders.changes import lock_order, move_order_status
from api.orders.models import Shipment, order_number
from api.orders.rules import SHIPMENT
from api.orders.statuses import OrderStatus, ShipmentStatus

REPORTABLE = frozenset(
    {
        ShipmentStatus.IN_TRANSIT,
        ShipmentStatus.OUT_FOR_DELIVERY,
        ShipmentStatus.DELIVERED,
        ShipmentStatus.EXCEPTION,
    }
)


async def record_tracking_event(
    uow: UnitOfWork,
    *,
    tracking_number: str,
    status: ShipmentStatus,
    occurred_at: datetime,
    description: str | None = None,
    carrier: str | None = None,
) -> Shipment:
    """Records one report (with ``carrier``: only about that carrier's own shipments). The
    same report twice is recorded once; a report older than one already applied is kept in the
    history without moving the shipment back."""
    number = validation.text(tracking_number, "trackingNumber", max_length=64)
    description = validation.optional_text(description, "description")
    occurred_at = _reported_time(status, occurred_at)
    shipment = await _tracked_shipment(uow, number, carrier)
    assert shipment.id is not None
    if await _already_recorded(uow, shipment.id, status, occurred_at):
        return shipment
    latest = (
        await uow.session.execute(
            select(col(TrackingEvent.occurred_at))
            .where(col(TrackingEvent.shipment_id) == shipment.id)
            .order_by(col(TrackingEvent.occurred_at).desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    now = utcnow()
    uow.session.add(
        TrackingEvent(
            shipment_id=shipment.id,
            status=status,
            occurred_at=occurred_at,
            description=description,
            recorded_at=now,
        )
    )
    current = ShipmentStatus(shipment.status)
    moves = latest is None or occurred_at >= latest
    if moves and status is not current:
        SHIPMENT.move(shipment, status, shipment.id)
        shipment.version += 1
        shipment.updated_at = now
        if status is ShipmentStatus.DELIVERED:
            shipment.delivered_at = occurred_at
    reported = (
        ShipmentDelivered
        if moves and status is ShipmentStatus.DELIVERED
        else ShipmentTrackingUpdated
    )
    uow.record(
        reported(
            shipment_id=shipment.id,
            order_id=shipment.order_id,
            tracking_number=number,
            status=status.value,
            occurred_at=occurred_at,
            description=description,
            applied=moves,
        )
    )
    if moves and status is ShipmentStatus.DELIVERED:
        await _deliver_order(uow, shipment.order_id, now)
    await uow.commit()
    return shipment


def _reported_time(status: ShipmentStatus, occurred_at: datetime) -> datetime:
    """The report's time in UTC, for a status a carrier reports, never in the future."""
    if status not in REPORTABLE:
        allowed = ", ".join(sorted(s.value for s in REPORTABLE))
        raise InvalidInput(f"a carrier reports {allowed}", field=["status"])
    if occurred_at.tzinfo is None:
        raise InvalidInput("occurredAt needs a time zone", field=["occurredAt"])
    occurred_at = occurred_at.astimezone(UTC)
    if occurred_at > utcnow():
        raise InvalidInput("occurredAt is in the future", field=["occurredAt"])
    return occurred_at


async def _tracked_shipment(uow: UnitOfWork, number: str, carrier: str | None) -> Shipment:
    """The shipment with the tracking number, locked; a carrier finds only its own."""
    shipment = (
        await uow.session.execute(
            select(Shipment).where(col(Shipment.tracking_number) == number).with_for_update()
        )
    ).scalar_one_or_none()
    if shipment is None or (carrier is not None and shipment.carrier != carrier):
        raise NotFound("shipment with tracking number", number, field=["trackingNumber"])
    return shipment


async def _already_recorded(
    uow: UnitOfWork, shipment_id: int, status: ShipmentStatus, occurred_at: datetime
) -> bool:
    duplicate = (
        await uow.session.execute(
            select(col(TrackingEvent.id)).where(
                col(TrackingEvent.shipment_id) == shipment_id,
                col(TrackingEvent.status) == status,
                col(TrackingEvent.occurred_at) == occurred_at,
            )
        )
    ).first()
    return duplicate is not None


async def _deliver_order(uow: UnitOfWork, order_id: int, now: datetime) -> None:
    """An order whose every shipment arrived, with nothing left to ship, is DELIVERED."""
    order = await lock_order(uow, order_id)
    if order.status != OrderStatus.SHIPPED:
        return
    await uow.session.flush()
    waiting = (
        await uow.session.execute(
            select(col(Shipment.id)).where(
                col(Shipment.order_id) == order_id,
                col(Shipment.status).not_in([ShipmentStatus.DELIVERED, ShipmentStatus.CANCELLED]),
            )
        )
    ).first()
    if waiting is not None:
        return
    move_order_status(uow, order, OrderStatus.DELIVERED, now)
    uow.record(
        FeedbackRequested(order_id=order_id, number=order_number(order_id), email=order.email)
    )
