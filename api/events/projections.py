"""Projections: readers of the event log that keep tables current from it.

A projection reads the log from where it stopped, in the order that never skips an event
(``api.events.log``), applies a batch and moves its cursor in the same transaction, with the
cursor's row locked: a batch is applied exactly once, and two processes never apply the same
one (SQLite has one writer at a time anyway).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.dialects import postgresql

from api.db import UnitOfWork
from api.events.log import START, LogPosition
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
