"""Projections: readers of the event log that keep tables current from it.

A projection reads the log from where it stopped, in the order that never skips an event
(``api.events.log``), applies a batch and moves its cursor in the same transaction, with the
cursor's row locked: a batch is applied exactly once, and two processes never apply the same
one (SQLite has one writer at a time anyway).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.dialects import postgresql

from api.auth import SYSTEM_ACTOR
from api.db import Database, UnitOfWork
from api.events.log import START, LogPosition, RowT, log_end, read_committed
from api.events.models import ProjectionCursor
from api.reads import columns


async def locked_cursor(uow: UnitOfWork, name: str) -> LogPosition:
    """The projection's position, its row locked for this transaction (made at the start of
    the log the first time; two processes doing so at once make one)."""
    cursor = columns(ProjectionCursor)
    start = {"name": name, "transaction_id": START.transaction_id, "event_id": START.event_id}
    first: Any = (
        postgresql.insert(cursor.name.table).on_conflict_do_nothing()
        if uow.database.engine.dialect.name == "postgresql"
        else insert(cursor.name.table).prefix_with("OR IGNORE")
    )
    await uow.session.execute(first.values(start))
    statement = select(cursor.transaction_id, cursor.event_id).where(cursor.name == name)
    if uow.database.engine.dialect.name == "postgresql":
        statement = statement.with_for_update()
    row = (await uow.session.execute(statement)).one()
    return LogPosition(row.transaction_id, row.event_id)


async def move_cursor(uow: UnitOfWork, name: str, position: LogPosition) -> None:
    cursor = columns(ProjectionCursor)
    await uow.session.execute(
        update(cursor.name.table)
        .where(cursor.name == name)
        .values(transaction_id=position.transaction_id, event_id=position.event_id)
    )


async def follow(
    database: Database,
    name: str,
    model: type[RowT],
    apply: Callable[[UnitOfWork, list[RowT]], Awaitable[None]],
    *,
    batch: int,
    from_the_end: bool = False,
) -> int:
    """Applies the rows of a commit-ordered table (the event log, the stock ledger) committed
    since the projection ``name`` last moved, a batch per transaction; the number applied.
    ``from_the_end``: a projection's first run starts at the table's end, not its start."""
    applied = 0
    while True:
        async with database.unit_of_work(SYSTEM_ACTOR) as uow:
            cursor = await locked_cursor(uow, name)
            connection = await uow.session.connection()
            if cursor == START and from_the_end:
                cursor = await log_end(connection, model)  # type: ignore[arg-type]
                await move_cursor(uow, name, cursor)
            rows = await read_committed(connection, model, cursor, batch)
            if rows:
                await apply(uow, rows)
                await move_cursor(uow, name, LogPosition.of(rows[-1]))  # type: ignore[arg-type]
            await uow.commit()
        applied += len(rows)
        if len(rows) < batch:
            return applied
