"""Building blocks for reads: batch loads in key order, and keyset pagination."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

ModelT = TypeVar("ModelT", bound=SQLModel)
KeyT = TypeVar("KeyT", bound=Hashable)


@cache
def _keyed(model: type[SQLModel], column: Any, order_by: Any) -> Select[Any]:
    """SELECT of ``model`` rows whose ``column`` is in the bound list ``keys``; built once per
    shape, so a DataLoader batch only binds its keys."""
    statement = select(model).where(column.in_(bindparam("keys", expanding=True)))
    if order_by is not None:
        statement = statement.order_by(*order_by if isinstance(order_by, tuple) else (order_by,))
    return statement


async def load_by_key(
    session: AsyncSession,
    model: type[ModelT],
    column: Any,
    keys: Sequence[KeyT],
) -> list[ModelT | None]:
    """One row per key (or None), in the order of ``keys``: the shape a DataLoader wants."""
    result = await session.execute(_keyed(model, column, None), {"keys": list(set(keys))})
    found = {getattr(row, column.key): row for row in result.scalars()}
    return [found.get(key) for key in keys]


async def load_groups(
    session: AsyncSession,
    model: type[ModelT],
    column: Any,
    keys: Sequence[KeyT],
    order_by: Any = None,
) -> list[list[ModelT]]:
    """All rows per key, in the order of ``keys``: one-to-many in one query."""
    result = await session.execute(_keyed(model, column, order_by), {"keys": list(set(keys))})
    groups: dict[Any, list[ModelT]] = defaultdict(list)
    for row in result.scalars():
        groups[getattr(row, column.key)].append(row)
    return [groups.get(key, []) for key in keys]


@dataclass(frozen=True)
class PageRequest:
    """Relay arguments with cursors already decoded to the sort key (an id)."""

    first: int | None = None
    after: int | None = None
    last: int | None = None
    before: int | None = None


@dataclass(frozen=True)
class Page:
    rows: list[Any]
    has_next_page: bool
    has_previous_page: bool


async def paginate(
    session: AsyncSession,
    statement: Select[Any],
    key: Any,
    request: PageRequest,
    *,
    descending: bool = False,
) -> Page:
    """Keyset pagination on a unique key, ascending or descending: one query, whatever the
    offset. ``after`` and ``before`` are positions in the requested order."""
    forward_order, backward_order = (key.desc(), key) if descending else (key, key.desc())

    def beyond(cursor: int) -> Any:
        return key < cursor if descending else key > cursor

    def short_of(cursor: int) -> Any:
        return key > cursor if descending else key < cursor

    if request.after is not None:
        statement = statement.where(beyond(request.after))
    if request.before is not None:
        statement = statement.where(short_of(request.before))
    if request.last is not None and request.first is None:
        limit = request.last
        result = await session.execute(statement.order_by(backward_order).limit(limit + 1))
        rows = list(result.scalars())
        has_more = len(rows) > limit
        rows = rows[:limit]
        rows.reverse()
        return Page(rows, request.before is not None, has_more)
    limit = request.first if request.first is not None else 50
    result = await session.execute(statement.order_by(forward_order).limit(limit + 1))
    rows = list(result.scalars())
    has_more = len(rows) > limit
    return Page(rows[:limit], has_more, request.after is not None)


async def count(session: AsyncSession, statement: Select[Any]) -> int:
    counted = select(func.count()).select_from(statement.order_by(None).subquery())
    return int((await session.execute(counted)).scalar_one())


def columns(model: type[SQLModel]) -> Any:
    """A table's columns; selecting them (not the mapped attributes) yields plain ints for ids."""
    return model.__table__.c  # type: ignore[attr-defined]
