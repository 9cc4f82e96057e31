from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from api.events.models import Event
from api.orders import links
from api.orders.models import Allocation, Order, OrderLine, order_id_from_number
from api.orders.placement import hash_tracking_token
from api.payments.models import Payment
from api.reads import Reader, as_records, columns, keys_in, load_by_key, load_groups


@dataclass(frozen=True)
class OrderFilter:
    statuses: Sequence[str] | None = None
    channel_id: int | None = None
    customer_email: str | None = None
    customer_id: int | None = None
    placed_from: datetime | None = None
    placed_to: datetime | None = None
    search: str | None = None


# What order reads select: everything but the routing decision, a document read on its own
# (``routing_decisions_by_order_id``) by the few views that show it.
ORDER_COLUMNS = tuple(column for column in columns(Order) if column.name != "routing_decision")


def orders_query(criteria: OrderFilter) -> Select[Any]:
    statement = select(*ORDER_COLUMNS)
    if criteria.statuses:
        statement = statement.where(col(Order.status).in_(criteria.statuses))
    if criteria.channel_id is not None:
        statement = statement.where(col(Order.channel_id) == criteria.channel_id)
    if criteria.customer_email:
        statement = statement.where(col(Order.email) == criteria.customer_email.strip().lower())
    if criteria.customer_id is not None:
        statement = statement.where(col(Order.customer_id) == criteria.customer_id)
    if criteria.placed_from is not None:
        statement = statement.where(col(Order.placed_at) >= criteria.placed_from)
    if criteria.placed_to is not None:
        statement = statement.where(col(Order.placed_at) < criteria.placed_to)
    if criteria.search:
        needle = criteria.search.strip()
        order_id = order_id_from_number(needle)
        escaped = needle.lower().replace("%", r"\%").replace("_", r"\_")
        matches: list[ColumnElement[bool]] = [
            func.lower(col(Order.email)).like(f"{escaped}%", escape="\\")
        ]
        if order_id is not None:
            matches.append(col(Order.id) == order_id)
        statement = statement.where(or_(*matches))
    return statement


async def order_by_tracking_token(
    session: AsyncSession, token: str, secret_key: str, *, for_update: bool = False
) -> Order | None:
    """The order a customer's token opens: its tracking token, or a link token from a mail
    (``api.orders.links``); None for anything else."""
    token = token.strip()
    if not token or len(token) > 200:
        return None
    if links.is_link_token(token):
        order_id = links.linked_order_id(token)
        if order_id is None:
            return None
        statement = select(Order).where(col(Order.id) == order_id)
    else:
        statement = select(Order).where(
            col(Order.tracking_token_hash) == hash_tracking_token(token)
        )
    if for_update:
        statement = statement.with_for_update()
    order = (await session.execute(statement)).scalar_one_or_none()
    if order is None or order.id is None:
        return None
    if links.is_link_token(token) and not links.link_token_valid(
        token, order.id, order.tracking_token_hash, secret_key
    ):
        return None
    return order


@cache
def _orders_by_id(dialect: str) -> Select[Any]:
    return select(*ORDER_COLUMNS).where(keys_in(col(Order.id), dialect))


async def orders_by_id(reader: Reader, ids: Sequence[int]) -> list[Order | None]:
    result = await reader.execute(_orders_by_id(reader.dialect.name), {"keys": list(set(ids))})
    found = {order.id: order for order in as_records(result.all(), Order)}
    return [found.get(order_id) for order_id in ids]


@cache
def _routing_decisions(dialect: str) -> Select[Any]:
    return select(col(Order.id), col(Order.routing_decision)).where(keys_in(col(Order.id), dialect))


async def routing_decisions_by_order_id(
    reader: Reader, ids: Sequence[int]
) -> list[dict[str, Any] | None]:
    """Each order's routing decision: the candidates, their scores and the reason."""
    result = await reader.execute(_routing_decisions(reader.dialect.name), {"keys": list(set(ids))})
    found = {order_id: decision for order_id, decision in result.all()}
    return [found.get(order_id) for order_id in ids]


# Loader statements, built once per dialect (see api.reads): a batch only binds its keys.
@cache
@cache
def _lines_with_currency(dialect: str) -> Select[Any]:
    # Both sides filtered by the keys: with the orders side unfiltered, the planner hashed the
    # whole order table whenever its statistics lagged behind its growth (15-24 ms, not 0.7).
    return (
        select(*columns(OrderLine), col(Order.currency))
        .join(Order, col(Order.id) == col(OrderLine.order_id))
        .where(keys_in(col(OrderLine.order_id), dialect), keys_in(col(Order.id), dialect))
        .order_by(col(OrderLine.id))
    )


@cache
def _order_events(dialect: str) -> Select[Any]:
    return (
        select(*columns(Event))
        .where(col(Event.aggregate_type) == "order", keys_in(col(Event.aggregate_id), dialect))
        .order_by(col(Event.id))
    )


async def lines_by_order_id(
    reader: Reader, ids: Sequence[int]
) -> list[list[tuple[OrderLine, str]]]:
    """Each order's lines with the order's currency, which prices them."""
    result = await reader.execute(
        _lines_with_currency(reader.dialect.name), {"keys": list(set(ids))}
    )
    lines: dict[int, list[tuple[OrderLine, str]]] = {}
    for line in as_records(result.all(), OrderLine):
        lines.setdefault(line.order_id, []).append((line, line.currency))  # type: ignore[attr-defined]
    return [lines.get(order_id, []) for order_id in ids]


async def allocations_by_order_id(reader: Reader, ids: Sequence[int]) -> list[list[Allocation]]:
    return await load_groups(
        reader, Allocation, col(Allocation.order_id), ids, order_by=col(Allocation.id)
    )


async def payments_by_order_id(reader: Reader, ids: Sequence[int]) -> list[Payment | None]:
    return await load_by_key(reader, Payment, col(Payment.order_id), ids)


async def events_by_order_id(reader: Reader, ids: Sequence[int]) -> list[list[Event]]:
    """Each order's own events, oldest first: its timeline."""
    result = await reader.execute(_order_events(reader.dialect.name), {"keys": list(set(ids))})
    timelines: dict[int, list[Event]] = {}
    for event in as_records(result.all(), Event):
        timelines.setdefault(event.aggregate_id, []).append(event)
    return [timelines.get(order_id, []) for order_id in ids]


RECENT_ORDERS = 20


async def recent_orders_by_customer_id(reader: Reader, ids: Sequence[int]) -> list[list[Order]]:
    """Each customer's latest orders, newest first, in one query however many customers."""
    ranked = (
        select(
            col(Order.id),
            func.row_number()
            .over(partition_by=col(Order.customer_id), order_by=col(Order.id).desc())
            .label("rank"),
        )
        .where(keys_in(col(Order.customer_id), reader.dialect.name))
        .subquery()
    )
    result = await reader.execute(
        select(*ORDER_COLUMNS)
        .join(ranked, ranked.c.id == col(Order.id))
        .where(ranked.c.rank <= RECENT_ORDERS, keys_in(col(Order.customer_id), reader.dialect.name))
        .order_by(col(Order.id).desc()),
        {"keys": list(set(ids))},
    )
    history: dict[int, list[Order]] = {}
    for order in as_records(result.all(), Order):
        history.setdefault(order.customer_id, []).append(order)
    return [history.get(customer_id, []) for customer_id in ids]
