"""Reports on what is overdue: shipments past the date promised to the customer, and returns
still open, by age."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select

from api.locations.models import Location
from api.orders.models import Order, Shipment, order_number
from api.orders.statuses import ShipmentStatus
from api.reads import Reader, columns
from api.reports.stock import MAX_ROWS
from api.returns.models import Return, ReturnLine
from api.returns.statuses import ReturnStatus
from api.validation import in_range

SETTLED = (ShipmentStatus.DELIVERED, ShipmentStatus.CANCELLED)
OPEN_RETURNS = (
    ReturnStatus.REQUESTED,
    ReturnStatus.APPROVED,
    ReturnStatus.INSPECTED,
)
AGE_BANDS = ((0, 2), (3, 7), (8, 14), (15, 30), (31, None))
"""Whole days since the return was requested."""


@dataclass(frozen=True)
class LateShipment:
    shipment_id: int
    order_id: int
    location_code: str
    status: str
    promised_at: datetime
    shipped_at: datetime | None
    carrier: str | None
    tracking_number: str | None
    estimated_delivery_at: datetime | None
    now: datetime

    @property
    def order_number(self) -> str:
        return order_number(self.order_id)

    @property
    def days_late(self) -> float:
        return (self.now - self.promised_at) / timedelta(days=1)


async def late_shipments(
    reader: Reader, now: datetime, *, location_id: int | None = None, limit: int = 100
) -> list[LateShipment]:
    """Shipments not yet delivered (nor cancelled) whose order's promised delivery date has
    passed, the longest overdue first."""
    in_range(limit, "first", 1, MAX_ROWS)
    shipment, order = columns(Shipment), columns(Order)
    location = columns(Location)
    statement = (
        select(
            shipment.id.label("shipment_id"),
            shipment.order_id,
            location.code.label("location_code"),
            shipment.status,
            order.promised_at,
            shipment.shipped_at,
            shipment.carrier,
            shipment.tracking_number,
            shipment.estimated_delivery_at,
        )
        .join(order.id.table, order.id == shipment.order_id)
        .join(location.id.table, location.id == shipment.location_id)
        .where(shipment.status.not_in([status.value for status in SETTLED]))
        .where(order.promised_at < now)
        .order_by(order.promised_at, shipment.id)
        .limit(limit)
    )
    if location_id is not None:
        statement = statement.where(shipment.location_id == location_id)
    return [LateShipment(**row._mapping, now=now) for row in await reader.execute(statement)]


@dataclass(frozen=True)
class OpenReturn:
    return_id: int
    order_id: int
    status: str
    requested_at: datetime
    units: int
    now: datetime

    @property
    def order_number(self) -> str:
        return order_number(self.order_id)

    @property
    def age_days(self) -> int:
        return (self.now - self.requested_at).days


@dataclass(frozen=True)
class AgeBand:
    min_days: int
    max_days: int | None
    status: str
    count: int


@dataclass(frozen=True)
class OpenReturns:
    bands: list[AgeBand]
    oldest: list[OpenReturn]


def _band_of(requested_at: Any, now: datetime) -> Any:
    """The band's first day: at most ``high`` whole days old means requested less than
    ``high + 1`` days ago."""
    return case(
        *(
            (requested_at > now - timedelta(days=high + 1), low)
            for low, high in AGE_BANDS
            if high is not None
        ),
        else_=AGE_BANDS[-1][0],
    )


async def open_returns(reader: Reader, now: datetime, *, limit: int = 100) -> OpenReturns:
    """Returns not yet settled: how many in each age band and status, and the oldest ones."""
    in_range(limit, "first", 1, MAX_ROWS)
    request = columns(Return)
    line = columns(ReturnLine)
    is_open = request.status.in_([status.value for status in OPEN_RETURNS])
    band = _band_of(request.created_at, now).label("band")
    counted = (
        select(band, request.status, func.count().label("returns"))
        .where(is_open)
        .group_by(band, request.status)
    )
    bands = {(row.band, row.status): row.returns for row in await reader.execute(counted)}
    oldest = (
        select(
            request.id.label("return_id"),
            request.order_id,
            request.status,
            request.created_at.label("requested_at"),
            func.coalesce(func.sum(line.quantity), 0).label("units"),
        )
        .outerjoin(line.return_id.table, line.return_id == request.id)
        .where(is_open)
        .group_by(request.id, request.order_id, request.status, request.created_at)
        .order_by(request.created_at, request.id)
        .limit(limit)
    )
    return OpenReturns(
        bands=[
            AgeBand(low, high, status.value, bands.get((low, status.value), 0))
            for low, high in AGE_BANDS
            for status in OPEN_RETURNS
        ],
        oldest=[OpenReturn(**row._mapping, now=now) for row in await reader.execute(oldest)],
    )
