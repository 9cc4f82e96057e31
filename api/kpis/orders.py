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

from sqlalchemy import Select, and_, case, func, null, select, tuple_, union_all

from api.kpis.aggregates import flag, percentiles_by
from api.kpis.figures import Figures, Ratio, Spread
from api.kpis.models import WHOLE_ORDER, KpiOrderFact
from api.kpis.periods import Period, as_day, bucket_of
from api.reads import Reader, columns

SATISFIED_FROM = 4
"""Ratings of 4 and 5 (of 5) count as satisfied: the usual CSAT cut."""


@dataclass(frozen=True)
class Scope:
    period: Period
    currency: str
    channel_id: int | None = None
    location_id: int | None = None


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


def _total(value: Any) -> Any:
    """A sum that is 0, not NULL, over no rows (the whole period's row when it has none)."""
    return func.coalesce(func.sum(value), 0)


def _sum_columns(scope: Scope) -> list[Any]:
    fact = columns(KpiOrderFact)
    in_currency = fact.currency == scope.currency
    shipped = fact.shipped >= 1
    return [
        func.count().label("orders"),
        _total(case((in_currency, fact.revenue), else_=0)).label("revenue"),
        _total(flag(fact.cancelled)).label("cancelled"),
        _total(flag(fact.backordered)).label("backordered"),
        _total(fact.lines_decided).label("lines_decided"),
        _total(fact.lines_filled).label("lines_filled"),
        _total(flag(fact.shipments >= 1)).label("with_shipments"),
        _total(flag(fact.shipments > 1)).label("split"),
        _total(flag(shipped)).label("shipped_orders"),
        _total(case((in_currency, fact.shipping_cost), else_=0)).label("shipping_cost"),
        _total(fact.on_time).label("on_time"),
        _total(fact.delivered).label("delivered"),
        _total(flag(and_(shipped, fact.returned))).label("returned"),
        _total(flag(and_(shipped, fact.inaccurate))).label("inaccurate"),
        func.count(fact.rating).label("ratings"),
        _total(flag(fact.rating >= SATISFIED_FROM)).label("satisfied"),
        _total(fact.rating).label("rating_sum"),
    ]


DURATIONS = ("seconds_to_ship", "seconds_to_deliver")


def _postgresql_figures(scope: Scope) -> Select[Any]:
    """One pass over the facts: per bucket and (key NULL) over the whole period, the sums and
    the percentiles (an ordered-set aggregate sorts each group once)."""
    fact = columns(KpiOrderFact)
    bucket = bucket_of(fact.placed_at, scope.period.granularity, "postgresql").label("key")
    picks = [
        func.percentile_disc(percent / 100).within_group(fact[name]).label(f"p{index}_{percent}")
        for index, name in enumerate(DURATIONS)
        for percent in (50, 90)
    ]
    return _facts(scope, bucket, *_sum_columns(scope), *picks).group_by(
        func.grouping_sets(tuple_(bucket), tuple_())
    )


def _sums(scope: Scope, dialect: str) -> Select[Any]:
    fact = columns(KpiOrderFact)
    bucket = bucket_of(fact.placed_at, scope.period.granularity, dialect).label("key")
    return _facts(scope, bucket, *_sum_columns(scope)).group_by(bucket)


def _cycle_times(scope: Scope, dialect: str) -> Select[Any]:
    """p50 and p90 of the durations per bucket and (key NULL) over the whole period."""
    fact = columns(KpiOrderFact)
    bucket = bucket_of(fact.placed_at, scope.period.granularity, dialect)
    durations = [fact[name] for name in DURATIONS]
    shipped = fact.seconds_to_ship.is_not(None)
    per_bucket = _facts(scope, bucket, *durations).where(shipped)
    overall = _facts(scope, null(), *durations).where(shipped)
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
    """Durations are placed → last shipment shipped and placed → last delivered, over the
    orders whose every shipment got there."""

    def figures_of(key: Any) -> Figures:
        return totals if key is None else series[as_day(key)]

    def set_spreads(row: Any) -> None:
        figures = figures_of(row.key)
        figures.time_to_ship = Spread(row.p0_50, row.p0_90)
        figures.time_to_deliver = Spread(row.p1_50, row.p1_90)

    if reader.dialect.name == "postgresql":
        for row in await reader.execute(_postgresql_figures(scope)):
            _add(figures_of(row.key), row)
            set_spreads(row)
        return
    for row in await reader.execute(_sums(scope, "sqlite")):
        for figures in (totals, series[as_day(row.key)]):
            _add(figures, row)
    for row in await reader.execute(_cycle_times(scope, "sqlite")):
        set_spreads(row)
