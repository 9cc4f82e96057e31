"""Order figures: the orders placed in the period (the cohort) and what became of them, from
their fact rows (``api.kpis.projection``).

Every figure of an order counts in the bucket of the day it was placed, whenever the thing it
measures happened (a shipment, a delivery, a return, a rating): the series then shows how the
orders of each day fared, and a figure never moves between buckets as the orders age.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, select, union_all

from api.kpis.aggregates import percentiles_by
from api.kpis.figures import Figures, Ratio, Spread
from api.kpis.models import WHOLE_ORDER, KpiOrderFact
from api.kpis.periods import Period, bucket_of
from api.reads import Reader, columns

SATISFIED_FROM = 4
"""Ratings of 4 and 5 (of 5) count as satisfied: the usual CSAT cut."""
TOTAL = "total"


@dataclass(frozen=True)
class Scope:
    period: Period
    currency: str
    channel_id: int | None = None
    location_id: int | None = None


def _flag(condition: Any) -> Any:
    return case((condition, 1), else_=0)


def _facts(scope: Scope, *selected: Any) -> Select[Any]:
    fact = columns(KpiOrderFact)
    statement = select(*selected).where(
        fact.location_id == (scope.location_id or WHOLE_ORDER),
        fact.placed_at >= scope.period.start,
        fact.placed_at < scope.period.end,
    )
    if scope.channel_id is not None:
        statement = statement.where(fact.channel_id == scope.channel_id)
    return statement


def _sums(scope: Scope, dialect: str) -> Select[Any]:
    fact = columns(KpiOrderFact)
    bucket = bucket_of(fact.placed_at, scope.period.granularity, dialect).label("bucket")
    in_currency = fact.currency == scope.currency
    shipped = fact.shipped >= 1
    return _facts(
        scope,
        bucket,
        func.count().label("orders"),
        func.sum(case((in_currency, fact.revenue), else_=0)).label("revenue"),
        func.sum(_flag(fact.cancelled)).label("cancelled"),
        func.sum(_flag(fact.backordered)).label("backordered"),
        func.sum(fact.lines_decided).label("lines_decided"),
        func.sum(fact.lines_filled).label("lines_filled"),
        func.sum(_flag(fact.shipments >= 1)).label("with_shipments"),
        func.sum(_flag(fact.shipments > 1)).label("split"),
        func.sum(_flag(shipped)).label("shipped_orders"),
        func.sum(case((in_currency, fact.shipping_cost), else_=0)).label("shipping_cost"),
        func.sum(fact.on_time).label("on_time"),
        func.sum(fact.delivered).label("delivered"),
        func.sum(_flag(and_(shipped, fact.returned))).label("returned"),
        func.sum(_flag(and_(shipped, fact.inaccurate))).label("inaccurate"),
        func.count(fact.rating).label("ratings"),
        func.sum(_flag(fact.rating >= SATISFIED_FROM)).label("satisfied"),
        func.coalesce(func.sum(fact.rating), 0).label("rating_sum"),
    ).group_by(bucket)


def _cycle_times(scope: Scope, dialect: str) -> Select[Any]:
    """p50 and p90 of placed → last shipment shipped and placed → last delivered, for the
    orders whose every shipment got there, per bucket and over the whole period."""
    fact = columns(KpiOrderFact)
    bucket = bucket_of(fact.placed_at, scope.period.granularity, dialect)
    durations = (fact.seconds_to_ship, fact.seconds_to_deliver)
    shipped = fact.seconds_to_ship.is_not(None)
    per_bucket = _facts(scope, bucket, *durations).where(shipped)
    overall = _facts(scope, literal(TOTAL), *durations).where(shipped)
    return percentiles_by(select(union_all(per_bucket, overall).subquery()), [50, 90])


def _add(figures: Figures, row: Any) -> None:
    figures.orders += row.orders
    figures.revenue += row.revenue
    figures.cancellations.add(Ratio(row.cancelled, row.orders))
    figures.backorders.add(Ratio(row.backordered, row.orders))
    figures.fill.add(Ratio(row.lines_filled, row.lines_decided))
    figures.split_shipments.add(Ratio(row.split, row.with_shipments))
    figures.shipped_orders += row.shipped_orders
    figures.shipping_cost += row.shipping_cost
    figures.on_time.add(Ratio(row.on_time, row.delivered))
    figures.returns.add(Ratio(row.returned, row.shipped_orders))
    figures.inaccurate_orders += row.inaccurate
    figures.satisfaction.add(Ratio(row.satisfied, row.ratings))
    figures.rating_sum += row.rating_sum


async def add_order_figures(
    reader: Reader, scope: Scope, totals: Figures, series: dict[date, Figures]
) -> None:
    dialect = reader.dialect.name
    for row in await reader.execute(_sums(scope, dialect)):
        for figures in (totals, series[date.fromisoformat(row.bucket)]):
            _add(figures, row)
    for row in await reader.execute(_cycle_times(scope, dialect)):
        figures = totals if row.key == TOTAL else series[date.fromisoformat(row.key)]
        figures.time_to_ship = Spread(row.p0_50, row.p0_90)
        figures.time_to_deliver = Spread(row.p1_50, row.p1_90)
