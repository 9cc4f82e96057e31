"""Inventory figures from the ledger: cost of goods shipped, time-weighted inventory value
(hence turnover and days on hand) and SKU-days out of stock.

The ledger holds every change to every quantity with its moment, so any past state is a sum:
on hand at t is the sum of on-hand movements up to t. The database sums movements by day; the
few rows that come back (one per day of the period, not one per movement) are enough to place
every figure in its bucket exactly.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, null, select, union_all

from api.catalog.models import Sku
from api.inventory.models import InventoryBucket, InventoryMovement, MovementKind
from api.kpis.aggregates import epoch_seconds
from api.kpis.figures import Figures, Ratio
from api.kpis.orders import Scope, table
from api.kpis.periods import Granularity, bucket_of
from api.reads import Reader, columns


def _value_by_day(scope: Scope, dialect: str) -> Select[Any]:
    """Per day of the period (None: everything before it), the change in on-hand value, the
    same weighted by its moment, and the cost of what was shipped; at today's unit costs."""
    movement, sku = columns(InventoryMovement), table(Sku).c
    value = movement.quantity * sku.unit_cost
    day = case(
        (movement.created_at < scope.period.start, null()),
        else_=bucket_of(movement.created_at, Granularity.DAY, dialect),
    )
    statement = (
        select(
            day.label("day"),
            func.sum(value).label("change"),
            func.sum(value * epoch_seconds(movement.created_at, dialect)).label("weighted"),
            func.sum(case((movement.kind == MovementKind.SHIPMENT, -value), else_=0)).label(
                "shipped"
            ),
        )
        .join(sku.id.table, sku.id == movement.sku_id)
        .where(
            movement.bucket == InventoryBucket.ON_HAND,
            movement.created_at < scope.period.end,
            sku.currency == scope.currency,
        )
        .group_by(day)
    )
    if scope.location_id is not None:
        statement = statement.where(movement.location_id == scope.location_id)
    return statement


def _stock_out_changes(scope: Scope, dialect: str) -> Select[Any]:
    """Per day, how many levels ran out (+1) or came back (-1), and how many started to be
    tracked (their first movement): available (on hand less reserved) is taken at the end of
    each day, and a level counts from the day of its first movement on."""
    movement = columns(InventoryMovement)
    day = bucket_of(movement.created_at, Granularity.DAY, dialect)
    change = case(
        (movement.bucket == InventoryBucket.ON_HAND, movement.quantity),
        else_=-movement.quantity,
    )
    daily = select(
        movement.location_id, movement.sku_id, day.label("day"), func.sum(change).label("change")
    ).where(
        movement.bucket.in_([InventoryBucket.ON_HAND, InventoryBucket.RESERVED]),
        movement.created_at < scope.period.end,
    )
    if scope.location_id is not None:
        daily = daily.where(movement.location_id == scope.location_id)
    days = daily.group_by(movement.location_id, movement.sku_id, day).subquery()
    level: dict[str, Any] = {
        "partition_by": (days.c.location_id, days.c.sku_id),
        "order_by": days.c.day,
    }
    states = select(
        days.c.day,
        func.sum(days.c.change).over(**level).label("available"),
        func.lead(days.c.day).over(**level).label("next_day"),
        func.row_number().over(**level).label("nth"),
    ).subquery()
    first, last = _first_and_last_day(scope)
    start = case((states.c.day < first, literal(first)), else_=states.c.day)
    out = and_(states.c.available <= 0, states.c.day <= last)
    ran_out = select(start.label("day"), literal(1).label("out"), literal(0).label("tracked"))
    ran_out = ran_out.where(out, func.coalesce(states.c.next_day, "9999-12-31") > first)
    came_back = select(states.c.next_day, literal(-1), literal(0)).where(
        out, states.c.next_day > first, states.c.next_day <= last
    )
    tracked = select(start, literal(0), literal(1)).where(states.c.nth == 1, states.c.day <= last)
    changes = union_all(ran_out, came_back, tracked).subquery()
    return select(
        changes.c.day, func.sum(changes.c.out).label("out"), func.sum(changes.c.tracked)
    ).group_by(changes.c.day)


def _first_and_last_day(scope: Scope) -> tuple[str, str]:
    last = (scope.period.end - timedelta(microseconds=1)).date()
    return scope.period.start.date().isoformat(), last.isoformat()


async def add_stock_figures(
    reader: Reader, scope: Scope, totals: Figures, series: dict[date, Figures]
) -> None:
    dialect = reader.dialect.name
    period = scope.period
    by_bucket: dict[date | None, list[Any]] = defaultdict(list)
    for row in await reader.execute(_value_by_day(scope, dialect)):
        key = None if row.day is None else period.bucket_key(date.fromisoformat(row.day))
        by_bucket[key].append(row)
    value = sum(float(row.change) for row in by_bucket[None])
    value_days = 0.0
    for bucket in period.buckets():
        # The value a bucket opens with holds all through it; each change from its moment on.
        start, end = bucket.start.timestamp(), bucket.end.timestamp()
        rows, figures = by_bucket[bucket.key], series[bucket.key]
        weighted = sum(float(row.change) * end - float(row.weighted) for row in rows)
        figures.days = bucket.days
        figures.average_inventory_value = value + weighted / (end - start)
        figures.cost_of_goods_shipped = sum(int(row.shipped) for row in rows)
        value += sum(float(row.change) for row in rows)
        totals.cost_of_goods_shipped += figures.cost_of_goods_shipped
        value_days += figures.average_inventory_value * bucket.days
    totals.days = period.days
    totals.average_inventory_value = value_days / period.days

    changes = {row.day: row for row in await reader.execute(_stock_out_changes(scope, dialect))}
    out = tracked = 0
    day, last = period.start.date(), (period.end - timedelta(microseconds=1)).date()
    while day <= last:
        row = changes.get(day.isoformat())
        if row is not None:
            out, tracked = out + int(row.out), tracked + int(row[2])
        today = Ratio(out, tracked)
        series[period.bucket_key(day)].stock_outs.add(today)
        totals.stock_outs.add(today)
        day += timedelta(days=1)
