"""Projections: readers of the event log that keep tables current from it.

A projection reads the log from where it stopped, in the order that never skips an event
(``api.events.log``), applies a batch and moves its cursor in the same transaction, with the
cursor's row locked: a batch is applied exactly once, and two processes never apply the same
one (SQLite has one writer at a time anyway).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.dialects import postgresql

from api.db import Database, UnitOfWork
from api.events.log import START, LogPosition
from api.events.models import ProjectionCursor
from api.reads import columns

log = logging.getLogger("oms.projections")


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


class Projector:
    """A projection kept running in the API's process: at start, then woken by this process's
    commits, and every ``poll_seconds`` for the other processes' ones; at most once a
    ``pause_seconds``, so a busy shop's commits are applied in batches rather than one by one."""

    def __init__(
        self,
        database: Database,
        name: str,
        catch_up: Callable[[Database], Awaitable[int]],
        poll_seconds: float = 5.0,
        pause_seconds: float = 1.0,
    ) -> None:
        self.database = database
        self.name = name
        self.catch_up = catch_up
        self.poll_seconds = poll_seconds
        self.pause_seconds = pause_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.database.events_committed.append(self._wake.set)
        self._task = asyncio.create_task(self._run(), name=f"{self.name}-projection")

    async def stop(self) -> None:
        with contextlib.suppress(ValueError):
            self.database.events_committed.remove(self._wake.set)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self.catch_up(self.database)
            except Exception:
                log.exception("the %s projection could not catch up; retrying", self.name)
            await asyncio.sleep(self.pause_seconds)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
