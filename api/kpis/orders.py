"""Order figures: the orders placed in the period (the cohort) and what became of them.

Every figure of an order counts in the bucket of the day it was placed, whenever the thing it
measures happened (a shipment, a delivery, a return, a rating): the series then shows how the
orders of each day fared, and a figure never moves between buckets as the orders age.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, Table, and_, case, exists, func, literal, select, union_all
from sqlmodel import SQLModel

from api.fulfilment.models import Shipment, ShipmentStatus
from api.kpis.aggregates import percentiles_by, seconds_between
from api.kpis.figures import Figures, Ratio, Spread
from api.kpis.periods import Period, bucket_of
from api.orders.models import Order, OrderLine, OrderStatus
from api.reads import Reader, columns
from api.returns.models import Feedback, Return, ReturnLine, ReturnReason, ReturnStatus

INACCURATE = (ReturnReason.WRONG_ITEM, ReturnReason.NOT_AS_DESCRIBED)
SATISFIED_FROM = 4
"""Ratings of 4 and 5 (of 5) count as satisfied: the usual CSAT cut."""
TOTAL = "total"


@dataclass(frozen=True)
class Scope:
    period: Period
    currency: str
    channel_id: int | None = None
    location_id: int | None = None


def table(model: type[SQLModel]) -> Table:
    return model.__table__  # type: ignore[attr-defined]


def _flag(condition: Any) -> Any:
    return case((condition, 1), else_=0)


def _cohort(scope: Scope, dialect: str) -> Any:
    order = columns(Order)
    cohort = select(
        order.id,
        order.placed_at,
        order.status,
        order.currency,
        order.total,
        order.promised_at,
        bucket_of(order.placed_at, scope.period.granularity, dialect).label("bucket"),
    ).where(order.placed_at >= scope.period.start, order.placed_at < scope.period.end)
    if scope.channel_id is not None:
        cohort = cohort.where(order.channel_id == scope.channel_id)
    if scope.location_id is not None:
        shipment = columns(Shipment)
        cohort = cohort.where(
            exists().where(shipment.order_id == order.id, shipment.location_id == scope.location_id)
        )
    return cohort.cte("cohort")


def _lines(cohort: Any) -> Any:
    line = columns(OrderLine)
    live = line.quantity - line.quantity_cancelled
    shipped = and_(live > 0, line.quantity_fulfilled >= live)
    return (
        select(
            line.order_id,
            func.max(_flag(line.was_backordered)).label("backordered"),
            func.sum(_flag(and_(live > 0, shipped | ~line.filled_as_placed))).label("decided"),
            func.sum(_flag(and_(shipped, line.filled_as_placed))).label("filled"),
        )
        .join(cohort, cohort.c.id == line.order_id)
        .group_by(line.order_id)
        .subquery("lines")
    )


def _shipments(cohort: Any, scope: Scope) -> Any:
    shipment = columns(Shipment)
    statement = (
        select(
            shipment.order_id,
            func.count().label("count"),
            func.count(shipment.shipped_at).label("shipped"),
            func.count(shipment.delivered_at).label("delivered"),
            func.max(shipment.shipped_at).label("last_shipped"),
            func.max(shipment.delivered_at).label("last_delivered"),
            func.sum(
                case(
                    (
                        and_(shipment.shipped_at.is_not(None), shipment.currency == scope.currency),
                        shipment.shipping_cost,
                    ),
                    else_=0,
                )
            ).label("cost"),
            func.sum(_flag(shipment.delivered_at <= cohort.c.promised_at)).label("on_time"),
        )
        .join(cohort, cohort.c.id == shipment.order_id)
        .where(shipment.status != ShipmentStatus.CANCELLED)
        .group_by(shipment.order_id)
    )
    if scope.location_id is not None:
        statement = statement.where(shipment.location_id == scope.location_id)
    return statement.subquery("shipments")


def _returns(cohort: Any) -> Any:
    request, line = columns(Return), table(ReturnLine)
    return (
        select(
            request.order_id,
            func.max(_flag(line.c.reason.in_([reason.value for reason in INACCURATE]))).label(
                "inaccurate"
            ),
        )
        .join(line, line.c.return_id == request.id)
        .join(cohort, cohort.c.id == request.order_id)
        .where(request.status != ReturnStatus.REJECTED)
        .group_by(request.order_id)
        .subquery("returns")
    )


def _sums(scope: Scope, dialect: str) -> Select[Any]:
    cohort = _cohort(scope, dialect)
    lines, shipments, returns = _lines(cohort), _shipments(cohort, scope), _returns(cohort)
    feedback = table(Feedback).c
    live = cohort.c.status != OrderStatus.CANCELLED
    shipped = shipments.c.shipped >= 1
    return (
        select(
            cohort.c.bucket,
            func.count().label("orders"),
            func.sum(
                case((and_(live, cohort.c.currency == scope.currency), cohort.c.total), else_=0)
            ).label("revenue"),
            func.sum(_flag(~live)).label("cancelled"),
            func.sum(func.coalesce(lines.c.backordered, 0)).label("backordered"),
            func.sum(func.coalesce(lines.c.decided, 0)).label("lines_decided"),
            func.sum(func.coalesce(lines.c.filled, 0)).label("lines_filled"),
            func.sum(_flag(shipments.c.count >= 1)).label("with_shipments"),
            func.sum(_flag(shipments.c.count > 1)).label("split"),
            func.sum(_flag(shipped)).label("shipped_orders"),
            func.sum(func.coalesce(shipments.c.cost, 0)).label("shipping_cost"),
            func.sum(func.coalesce(shipments.c.on_time, 0)).label("on_time"),
            func.sum(func.coalesce(shipments.c.delivered, 0)).label("delivered"),
            func.sum(_flag(and_(shipped, returns.c.order_id.is_not(None)))).label("returned"),
            func.sum(_flag(and_(shipped, returns.c.inaccurate == 1))).label("inaccurate"),
            func.count(feedback.order_id).label("ratings"),
            func.sum(_flag(feedback.rating >= SATISFIED_FROM)).label("satisfied"),
            func.sum(func.coalesce(feedback.rating, 0)).label("rating_sum"),
        )
        .select_from(cohort)
        .outerjoin(lines, lines.c.order_id == cohort.c.id)
        .outerjoin(shipments, shipments.c.order_id == cohort.c.id)
        .outerjoin(returns, returns.c.order_id == cohort.c.id)
        .outerjoin(feedback.order_id.table, feedback.order_id == cohort.c.id)
        .group_by(cohort.c.bucket)
    )


def _cycle_times(scope: Scope, dialect: str) -> Select[Any]:
    """p50 and p90 of placed → last shipment shipped and placed → last delivered, for the
    orders whose every shipment got there, per bucket and over the whole period."""
    cohort = _cohort(scope, dialect)
    shipments = _shipments(cohort, scope)
    to_ship = case(
        (
            shipments.c.shipped == shipments.c["count"],
            seconds_between(shipments.c.last_shipped, cohort.c.placed_at, dialect),
        )
    )
    to_deliver = case(
        (
            shipments.c.delivered == shipments.c["count"],
            seconds_between(shipments.c.last_delivered, cohort.c.placed_at, dialect),
        )
    )
    shipped = select(cohort.c.bucket, to_ship, to_deliver).join(
        shipments, shipments.c.order_id == cohort.c.id
    )
    overall = select(literal(TOTAL), to_ship, to_deliver).join(
        shipments, shipments.c.order_id == cohort.c.id
    )
    return percentiles_by(select(union_all(shipped, overall).subquery()), [50, 90])


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
