"""Shipments follow allocations: one per order and location, opened when stock is allocated
there and cancelled when nothing is left in it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, insert, select, update

from api.db import UnitOfWork
from api.dbtypes import utcnow
from api.orders.events import ShipmentCancelled, ShipmentCreated
from api.orders.models import Allocation, Shipment
from api.orders.rules import SHIPMENT
from api.orders.statuses import AllocationStatus, ShipmentStatus
from api.reads import columns

_shipment = columns(Shipment)
_allocation = columns(Allocation)
# Built once: placement opens its shipments with this on every order.
_SHIPMENTS_INSERT = insert(_shipment.id.table).returning(
    _shipment.id, _shipment.location_id, sort_by_parameter_order=True
)
HOLDING = (AllocationStatus.RESERVED, AllocationStatus.PICKED)
# Shipments a cancellation or a short pick can leave empty (a packed one holds picked stock).
_EMPTIED = (ShipmentStatus.PENDING, ShipmentStatus.PICKING)


async def shipments_for(
    uow: UnitOfWork,
    order_id: int,
    currency: str,
    location_ids: Iterable[int],
    now: datetime,
    *,
    new_order: bool = False,
) -> dict[int, int]:
    """The shipment at each location that new allocations of the order go into: the order's
    shipment there that is still waiting to be picked, or a new one (``new_order``: the order
    has none yet, so nothing is looked up)."""
    wanted = sorted(set(location_ids))
    found: dict[int, int] = {}
    if wanted and not new_order:
        rows = await uow.session.execute(
            select(_shipment.location_id, func.min(_shipment.id))
            .where(
                _shipment.order_id == order_id,
                _shipment.location_id.in_(wanted),
                _shipment.status == ShipmentStatus.PENDING,
                _shipment.pick_list_id.is_(None),
            )
            .group_by(_shipment.location_id)
        )
        found = {location_id: shipment_id for location_id, shipment_id in rows.all()}
    missing = [location_id for location_id in wanted if location_id not in found]
    if missing:
        created = await uow.session.execute(
            _SHIPMENTS_INSERT,
            [
                {
                    "order_id": order_id,
                    "location_id": location_id,
                    "status": SHIPMENT.start(ShipmentStatus.PENDING),
                    "currency": currency,
                    "shipping_cost": 0,
                    "version": 0,
                    "created_at": now,
                    "updated_at": now,
                }
                for location_id in missing
            ],
        )
        for shipment_id, location_id in created.all():
            found[location_id] = shipment_id
            shipment_opened(uow, order_id, location_id, shipment_id)
    return found


def shipment_opened(uow: UnitOfWork, order_id: int, location_id: int, shipment_id: int) -> None:
    uow.record(
        ShipmentCreated(
            shipment_id=shipment_id, order_id=order_id, location_id=location_id, status="PENDING"
        )
    )


async def cancel_empty_shipments(uow: UnitOfWork, order_id: int, reason: str) -> list[int]:
    """Cancels the order's unshipped shipments that no longer hold any stock."""
    await uow.session.flush()  # allocations released through the session count here
    holding = (
        select(_allocation.id)
        .where(_allocation.shipment_id == _shipment.id, _allocation.status.in_(HOLDING))
        .exists()
    )
    result = await uow.session.execute(
        update(_shipment.id.table)
        .where(
            _shipment.order_id == order_id,
            _shipment.status.in_(_EMPTIED),
            ~holding,
        )
        .values(
            **SHIPMENT.bulk_move(_EMPTIED, ShipmentStatus.CANCELLED),
            version=_shipment.version + 1,
            updated_at=utcnow(),
        )
        .returning(_shipment.id)
    )
    cancelled = [shipment_id for (shipment_id,) in result.all()]
    for shipment_id in cancelled:
        uow.record(ShipmentCancelled(shipment_id=shipment_id, order_id=order_id, reason=reason))
    return cancelled
