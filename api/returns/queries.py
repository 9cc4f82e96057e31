"""Reads of returns, refunds and feedback: filtered pages and DataLoader batches."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlmodel import col

from api.orders.models import Order
from api.reads import Reader, columns, load_by_key, load_groups, load_groups_with
from api.returns.models import Feedback, Refund, Return, ReturnLine


@dataclass(frozen=True)
class ReturnFilter:
    statuses: Sequence[str] | None = None
    reasons: Sequence[str] | None = None
    location_id: int | None = None
    order_id: int | None = None


def returns_query(criteria: ReturnFilter) -> Select[Any]:
    statement = select(*columns(Return))
    if criteria.statuses:
        statement = statement.where(col(Return.status).in_(criteria.statuses))
    if criteria.order_id is not None:
        statement = statement.where(col(Return.order_id) == criteria.order_id)
    if criteria.reasons or criteria.location_id is not None:
        lines = select(col(ReturnLine.return_id))
        if criteria.reasons:
            lines = lines.where(col(ReturnLine.reason).in_(criteria.reasons))
        if criteria.location_id is not None:
            lines = lines.where(col(ReturnLine.location_id) == criteria.location_id)
        statement = statement.where(col(Return.id).in_(lines))
    return statement


async def returns_by_id(reader: Reader, ids: Sequence[int]) -> list[Return | None]:
    return await load_by_key(reader, Return, col(Return.id), ids)


async def returns_by_order_id(reader: Reader, ids: Sequence[int]) -> list[list[Return]]:
    return await load_groups(reader, Return, col(Return.order_id), ids, order_by=col(Return.id))


async def lines_by_return_id(reader: Reader, ids: Sequence[int]) -> list[list[ReturnLine]]:
    return await load_groups(
        reader, ReturnLine, col(ReturnLine.return_id), ids, order_by=col(ReturnLine.id)
    )


async def _refunds_with_currency(
    reader: Reader, column: Any, ids: Sequence[int]
) -> list[list[tuple[Refund, str]]]:
    """Refunds grouped by ``column``, each with its order's currency, which prices it."""
    # The currency by the order's key, row by row: a join left the planner free to hash the
    # whole order table.
    currency = (
        select(col(Order.currency))
        .where(col(Order.id) == col(Refund.order_id))
        .scalar_subquery()
        .label("currency")
    )
    return await load_groups_with(reader, Refund, column, ids, currency, col(Refund.id))


async def refunds_by_order_id(reader: Reader, ids: Sequence[int]) -> list[list[tuple[Refund, str]]]:
    return await _refunds_with_currency(reader, col(Refund.order_id), ids)


async def refunds_by_return_id(
    reader: Reader, ids: Sequence[int]
) -> list[list[tuple[Refund, str]]]:
    return await _refunds_with_currency(reader, col(Refund.return_id), ids)


async def feedback_by_order_id(reader: Reader, ids: Sequence[int]) -> list[Feedback | None]:
    return await load_by_key(reader, Feedback, col(Feedback.order_id), ids)


async def exchange_orders_by_return_id(reader: Reader, ids: Sequence[int]) -> list[list[Order]]:
    return await load_groups(
        reader, Order, col(Order.exchange_for_return_id), ids, order_by=col(Order.id)
    )
