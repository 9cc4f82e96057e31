"""The summary rows of orders, computed from the raw rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    and_,
    case,
    func,
    literal,
    select,
    union_all,
)

from api.kpis.aggregates import flag, seconds_between
from api.kpis.models import WHOLE_ORDER
from api.orders.models import Order, OrderLine, Shipment
from api.orders.statuses import OrderStatus, ShipmentStatus
from api.reads import columns
from api.returns.models import Feedback, Return, ReturnLine, ReturnReason
from api.returns.statuses import ReturnStatus

INACCURATE = (ReturnReason.WRONG_ITEM, ReturnReason.NOT_AS_DESCRIBED)


def _shipment_totals(order_ids: list[int]) -> Any:
    """Per order and location, and per order over all its locations (``WHOLE_ORDER``), its live
    shipments: how many, shipped, delivered, the last of each, their cost, on time."""
    order, shipment = columns(Order), columns(Shipment)
    tagged = union_all(
        *(
            select(
                shipment.order_id,
                location.label("location_id"),
                (shipment.status != ShipmentStatus.CANCELLED).label("live"),
                shipment.shipped_at,
                shipment.delivered_at,
                case((shipment.currency == order.currency, shipment.shipping_cost), else_=0).label(
                    "cost"
                ),
                (shipment.delivered_at <= order.promised_at).label("on_time"),
            )
            .join(order.id.table, order.id == shipment.order_id)
            .where(order.id.in_(order_ids))
            for location in (shipment.location_id, literal(WHOLE_ORDER))
        )
    ).subquery("tagged")
    live = tagged.c.live
    return (
        select(
            tagged.c.order_id,
            tagged.c.location_id,
            func.sum(flag(live)).label("count"),
            func.sum(flag(and_(live, tagged.c.shipped_at.is_not(None)))).label("shipped"),
            func.sum(flag(and_(live, tagged.c.delivered_at.is_not(None)))).label("delivered"),
            func.max(case((live, tagged.c.shipped_at))).label("last_shipped"),
            func.max(case((live, tagged.c.delivered_at))).label("last_delivered"),
            func.sum(
                case((and_(live, tagged.c.shipped_at.is_not(None)), tagged.c.cost), else_=0)
            ).label("cost"),
            func.sum(flag(and_(live, tagged.c.on_time))).label("on_time"),
        )
        .group_by(tagged.c.order_id, tagged.c.location_id)
        .subquery("shipments")
    )


def _line_totals(order_ids: list[int]) -> Any:
    """Per order: whether a line ever waited for stock, the lines whose fill is known, and of
    those the lines shipped complete from their first allocation."""
    line = columns(OrderLine)
    remaining = line.quantity - line.quantity_cancelled
    complete = and_(remaining > 0, line.quantity_fulfilled >= remaining)
    return (
        select(
            line.order_id,
            func.max(flag(line.was_backordered)).label("backordered"),
            func.sum(flag(and_(remaining > 0, complete | ~line.filled_as_placed))).label("decided"),
            func.sum(flag(and_(complete, line.filled_as_placed))).label("filled"),
        )
        .where(line.order_id.in_(order_ids))
        .group_by(line.order_id)
        .subquery("lines")
    )


def _return_totals(order_ids: list[int]) -> Any:
    """Per order with a return not rejected: whether one was for a wrong item or an item not
    as described."""
    request, returned_line = columns(Return), columns(ReturnLine)
    return (
        select(
            request.order_id,
            func.max(flag(returned_line.reason.in_([reason.value for reason in INACCURATE]))).label(
                "inaccurate"
            ),
        )
        .join(returned_line.return_id.table, returned_line.return_id == request.id)
        .where(request.order_id.in_(order_ids), request.status != ReturnStatus.REJECTED)
        .group_by(request.order_id)
        .subquery("returns")
    )


def order_facts(order_ids: list[int], dialect: str) -> Any:
    """The fact rows of these orders: one over the whole order, one per location it has a
    shipment at."""
    order, feedback = columns(Order), columns(Feedback)
    shipments = _shipment_totals(order_ids)
    lines, returns = _line_totals(order_ids), _return_totals(order_ids)
    keys = union_all(
        select(order.id.label("order_id"), literal(WHOLE_ORDER).label("location_id")).where(
            order.id.in_(order_ids)
        ),
        select(shipments.c.order_id, shipments.c.location_id).where(
            shipments.c.location_id != WHOLE_ORDER
        ),
    ).subquery("keys")
    count = shipments.c["count"]
    all_shipped = and_(count > 0, shipments.c.shipped == count)
    all_delivered = and_(count > 0, shipments.c.delivered == count)
    cancelled = order.status == OrderStatus.CANCELLED
    return (
        select(
            keys.c.order_id,
            keys.c.location_id,
            order.channel_id,
            order.placed_at,
            order.currency,
            case((cancelled, 0), else_=order.total).label("revenue"),
            cancelled.label("cancelled"),
            (func.coalesce(lines.c.backordered, 0) == 1).label("backordered"),
            func.coalesce(lines.c.decided, 0).label("lines_decided"),
            func.coalesce(lines.c.filled, 0).label("lines_filled"),
            func.coalesce(count, 0).label("shipments"),
            func.coalesce(shipments.c.shipped, 0).label("shipped"),
            func.coalesce(shipments.c.delivered, 0).label("delivered"),
            func.coalesce(shipments.c.on_time, 0).label("on_time"),
            func.coalesce(shipments.c.cost, 0).label("shipping_cost"),
            case(
                (all_shipped, seconds_between(shipments.c.last_shipped, order.placed_at, dialect))
            ).label("seconds_to_ship"),
            case(
                (
                    all_delivered,
                    seconds_between(shipments.c.last_delivered, order.placed_at, dialect),
                )
            ).label("seconds_to_deliver"),
            returns.c.order_id.is_not(None).label("returned"),
            (func.coalesce(returns.c.inaccurate, 0) == 1).label("inaccurate"),
            feedback.rating,
        )
        .select_from(keys)
        .join(order.id.table, order.id == keys.c.order_id)
        .outerjoin(
            shipments,
            and_(
                shipments.c.order_id == keys.c.order_id,
                shipments.c.location_id == keys.c.location_id,
            ),
        )
        .outerjoin(lines, lines.c.order_id == keys.c.order_id)
        .outerjoin(returns, returns.c.order_id == keys.c.order_id)
        .outerjoin(feedback.order_id.table, feedback.order_id == keys.c.order_id)
    )
