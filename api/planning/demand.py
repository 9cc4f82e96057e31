"""Daily demand per SKU and location, read in one pass for as many levels as asked.

A day's demand is what left or is committed to leave: units shipped that day from the location
(the ledger's shipment rows), plus units of orders placed that day still held for them there
(reserved or picked, not yet shipped). For the whole shop, units backordered on orders placed
that day count too: ordered, though no location holds them yet. Cancelled units are not demand.
Days are UTC days.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlmodel import col

from api.inventory.models import InventoryMovement, MovementKind
from api.inventory.statuses import InventoryBucket
from api.kpis.periods import Granularity, as_day, bucket_of, midnight
from api.orders.models import Allocation, Order, OrderLine
from api.orders.statuses import AllocationStatus
from api.reads import Reader

HELD = (AllocationStatus.RESERVED, AllocationStatus.PICKED)

Level = tuple[int, int]
"""(location id, SKU id)"""


def _days(first_day: date, last_day: date) -> int:
    return (last_day - first_day).days + 1


async def demand_by_level(
    reader: Reader,
    first_day: date,
    last_day: date,
    *,
    location_id: int | None = None,
    sku_ids: Sequence[int] | None = None,
) -> dict[Level, list[float]]:
    """Units demanded at each level on each day from ``first_day`` to ``last_day``; levels
    without any demand then are left out."""
    start, end = midnight(first_day), midnight(last_day + timedelta(days=1))
    dialect = reader.dialect.name
    movement, allocation = col(InventoryMovement.created_at), col(Allocation.location_id)
    shipped_on = (
        col(InventoryMovement.location_id),
        col(InventoryMovement.sku_id),
        bucket_of(movement, Granularity.DAY, dialect),
    )
    held_on = (
        allocation,
        col(Allocation.sku_id),
        bucket_of(col(Order.placed_at), Granularity.DAY, dialect),
    )
    shipped = (
        select(*shipped_on, func.sum(-col(InventoryMovement.quantity)))
        .where(
            col(InventoryMovement.kind) == MovementKind.SHIPMENT,
            col(InventoryMovement.bucket) == InventoryBucket.ON_HAND,
            movement >= start,
            movement < end,
        )
        .group_by(*shipped_on)
    )
    held = (
        select(*held_on, func.sum(col(Allocation.quantity)))
        .join(Order, col(Order.id) == col(Allocation.order_id))
        .where(
            col(Allocation.status).in_(HELD),
            col(Order.placed_at) >= start,
            col(Order.placed_at) < end,
        )
        .group_by(*held_on)
    )
    if location_id is not None:
        shipped = shipped.where(col(InventoryMovement.location_id) == location_id)
        held = held.where(allocation == location_id)
    if sku_ids is not None:
        shipped = shipped.where(col(InventoryMovement.sku_id).in_(sku_ids))
        held = held.where(col(Allocation.sku_id).in_(sku_ids))
    series: dict[Level, list[float]] = defaultdict(lambda: [0.0] * _days(first_day, last_day))
    for statement in (shipped, held):
        _add(series, first_day, (await reader.execute(statement)).all())
    return dict(series)


async def backordered_by_sku(
    reader: Reader, first_day: date, last_day: date, sku_ids: Sequence[int]
) -> dict[int, list[float]]:
    """Units backordered on the orders placed each day, by SKU."""
    placed = col(Order.placed_at)
    by = (col(OrderLine.sku_id), bucket_of(placed, Granularity.DAY, reader.dialect.name))
    statement = (
        select(*by, func.sum(col(OrderLine.quantity_backordered)))
        .join(Order, col(Order.id) == col(OrderLine.order_id))
        .where(
            col(OrderLine.sku_id).in_(sku_ids),
            col(OrderLine.quantity_backordered) > 0,
            placed >= midnight(first_day),
            placed < midnight(last_day + timedelta(days=1)),
        )
        .group_by(*by)
    )
    series: dict[int, list[float]] = defaultdict(lambda: [0.0] * _days(first_day, last_day))
    for sku_id, day, units in (await reader.execute(statement)).all():
        series[sku_id][(as_day(day) - first_day).days] += float(units)
    return dict(series)


def _add(series: dict[Level, list[float]], first_day: date, rows: Iterable[Any]) -> None:
    for location_id, sku_id, day, units in rows:
        series[(location_id, sku_id)][(as_day(day) - first_day).days] += float(units)
