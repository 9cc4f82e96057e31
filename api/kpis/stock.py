"""Inventory figures from the ledger's days (``kpi_stock_day``): cost of goods shipped,
time-weighted inventory value (hence turnover and days on hand) and SKU-days out of stock.

The ledger holds every change to every quantity with its moment, so any past state is a sum:
on hand at t is the sum of on-hand movements up to t. Its days, summed per level, are enough to
place every figure in its bucket exactly; inventory figures cover whole UTC days (the days the
period touches).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, null, or_, select, union_all

from api.catalog.models import Sku
from api.kpis.figures import Figures, Ratio
from api.kpis.models import KpiStockDay
from api.kpis.orders import Scope
from api.kpis.periods import as_day, day_after, midnight
from api.locations.models import Location
from api.reads import Reader, columns
from api.reports.stock import MAX_ROWS
from api.validation import in_range


def whole_days(scope: Scope) -> tuple[date, date]:
    """The first day the period touches, and the day after the last."""
    return scope.period.start.date(), day_after(scope.period.end)


def _value_by_day(scope: Scope) -> Select[Any]:
    """Per day of the period (None: all days before it), the change in on-hand value, the same
    weighted by its moments, and the cost of what was shipped; at today's unit costs."""
    stock_day, sku = columns(KpiStockDay), columns(Sku)
    first, end = whole_days(scope)
    day = case((stock_day.day < first, null()), else_=stock_day.day)
    statement = (
        select(
            day.label("day"),
            func.sum(stock_day.on_hand_change * sku.unit_cost).label("change"),
            func.sum(stock_day.on_hand_moments * sku.unit_cost).label("weighted"),
            func.sum(stock_day.shipped * sku.unit_cost).label("shipped"),
        )
        .join(sku.id.table, sku.id == stock_day.sku_id)
        .where(stock_day.day < end, sku.currency == scope.currency)
        .group_by(day)
    )
    if scope.location_id is not None:
        statement = statement.where(stock_day.location_id == scope.location_id)
    return statement


def _stock_out_changes(scope: Scope) -> Select[Any]:
    """Per day, how many levels ran out (+1) or came back (-1), and how many started to be
    tracked (their first movement): available (on hand less reserved) is taken at the end of
    each day, and a level counts from the day of its first movement on."""
    stock_day = columns(KpiStockDay)
    first, end = whole_days(scope)
    days = select(stock_day).where(stock_day.day < end)
    if scope.location_id is not None:
        days = days.where(stock_day.location_id == scope.location_id)
    levels = days.subquery()
    level: dict[str, Any] = {
        "partition_by": (levels.c.location_id, levels.c.sku_id),
        "order_by": levels.c.day,
    }
    states = select(
        levels.c.day,
        func.sum(levels.c.on_hand_change - levels.c.reserved_change)
        .over(**level)
        .label("available"),
        func.lead(levels.c.day).over(**level).label("next_day"),
        func.row_number().over(**level).label("nth"),
    ).cte("states")  # read by three branches below: computed once
    start = case((states.c.day < first, literal(first)), else_=states.c.day)
    out = states.c.available <= 0
    ran_out = select(start.label("day"), literal(1).label("out"), literal(0).label("tracked"))
    ran_out = ran_out.where(out, func.coalesce(states.c.next_day, end) > first)
    came_back = select(states.c.next_day, literal(-1), literal(0)).where(
        out, and_(states.c.next_day > first, states.c.next_day < end)
    )
    tracked = select(start, literal(0), literal(1)).where(states.c.nth == 1)
    changes = union_all(ran_out, came_back, tracked).subquery()
    return select(
        changes.c.day, func.sum(changes.c.out).label("out"), func.sum(changes.c.tracked)
    ).group_by(changes.c.day)


async def add_stock_figures(
    reader: Reader, scope: Scope, totals: Figures, series: dict[date, Figures]
) -> None:
    period = scope.period
    by_bucket: dict[date | None, list[Any]] = defaultdict(list)
    for row in await reader.execute(_value_by_day(scope)):
        key = None if row.day is None else period.bucket_key(as_day(row.day))
        by_bucket[key].append(row)
    value = sum(float(row.change) for row in by_bucket[None])
    value_days = 0.0
    for bucket in period.buckets():
        # The value a bucket opens with holds all through it; each change from its moment on.
        first, end = bucket.start.date(), day_after(bucket.end)
        start_second, end_second = midnight(first).timestamp(), midnight(end).timestamp()
        rows, figures = by_bucket[bucket.key], series[bucket.key]
        weighted = sum(float(row.change) * end_second - float(row.weighted) for row in rows)
        figures.days = (end - first).days
        figures.average_inventory_value = value + weighted / (end_second - start_second)
        figures.cost_of_goods_shipped = sum(int(row.shipped) for row in rows)
        value += sum(float(row.change) for row in rows)
        totals.cost_of_goods_shipped += figures.cost_of_goods_shipped
        value_days += figures.average_inventory_value * figures.days
    totals.days = sum(figures.days for figures in series.values())
    totals.average_inventory_value = value_days / totals.days

    changes = {as_day(row.day): row for row in await reader.execute(_stock_out_changes(scope))}
    out = tracked = 0
    day, end = whole_days(scope)
    while day < end:
        row = changes.get(day)
        if row is not None:
            out, tracked = out + int(row.out), tracked + int(row[2])
        today = Ratio(out, tracked)
        series[period.bucket_key(day)].stock_outs.add(today)
        totals.stock_outs.add(today)
        day += timedelta(days=1)


@dataclass(frozen=True)
class LevelTurnover:
    location_id: int
    location_code: str
    sku: str
    sku_name: str
    units_shipped: int
    average_on_hand: float
    unit_cost: int
    currency: str
    days: int

    @property
    def turnover(self) -> float | None:
        """Units shipped / average units on hand: the same as the cost ratio, for one SKU."""
        return self.units_shipped / self.average_on_hand if self.average_on_hand > 0 else None

    @property
    def days_on_hand(self) -> float | None:
        if not self.units_shipped:
            return None
        return self.average_on_hand / (self.units_shipped / self.days)


async def turnover_by_level(
    reader: Reader, scope: Scope, *, fastest: bool = False, limit: int = 100
) -> list[LevelTurnover]:
    """Turnover and days on hand per (location, SKU) over the period's whole days, from the
    same ledger days and the same time-weighted average as the totals; the slowest first
    (levels that shipped nothing and hold stock lead), or the fastest."""
    in_range(limit, "first", 1, MAX_ROWS)
    stock_day, sku, location = columns(KpiStockDay), columns(Sku), columns(Location)
    first, end = whole_days(scope)
    start_second, end_second = midnight(first).timestamp(), midnight(end).timestamp()
    inside = stock_day.day >= first
    opening = func.sum(case((~inside, stock_day.on_hand_change), else_=0))
    weighted = func.sum(
        case(
            (inside, stock_day.on_hand_change * end_second - stock_day.on_hand_moments),
            else_=0.0,
        )
    )
    average = (opening + weighted / (end_second - start_second)).label("average_on_hand")
    shipped = func.sum(case((inside, stock_day.shipped), else_=0)).label("units_shipped")
    turnover = case((average > 0, shipped / average))
    order = (
        [turnover.desc().nulls_last()]
        if fastest
        else [turnover.asc().nulls_first(), average.desc()]
    )
    statement = (
        select(
            stock_day.location_id,
            location.code.label("location_code"),
            sku.code.label("sku"),
            sku.name.label("sku_name"),
            shipped,
            average,
            sku.unit_cost,
            sku.currency,
        )
        .join(sku.id.table, sku.id == stock_day.sku_id)
        .join(location.id.table, location.id == stock_day.location_id)
        .where(stock_day.day < end)
        .group_by(
            stock_day.location_id, location.code, sku.code, sku.name, sku.unit_cost, sku.currency
        )
        .having(or_(average > 0, shipped > 0))
        .order_by(*order, sku.code, stock_day.location_id)
        .limit(limit)
    )
    if scope.location_id is not None:
        statement = statement.where(stock_day.location_id == scope.location_id)
    days = (end - first).days
    return [LevelTurnover(**row._mapping, days=days) for row in await reader.execute(statement)]
