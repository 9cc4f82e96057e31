"""Engine and session factories, and the unit of work every command runs in."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

from api.dbtypes import utcnow
from api.errors import NotFound
from api.events.declared import DomainEvent, InventoryLevelChanged
from api.events.models import Event
from api.settings import Settings
from api.writes import commit_ordered_insert


def _sqlite_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class Database:
    """One engine per process; sessions for reads, units of work for commands."""

    def __init__(self, url: str, *, pool_size: int = 10, echo: bool = False) -> None:
        self.is_sqlite = url.startswith("sqlite")
        # A failed statement's error (logged with its request id) names no bound parameter: they
        # hold customers' addresses, tokens' hashes, whatever a caller sent.
        options: dict[str, Any] = {"echo": echo, "hide_parameters": True}
        if not self.is_sqlite:
            options.update(pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=False)
        self.engine: AsyncEngine = create_async_engine(url, **options)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self._read_engine = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        # Statements a command commits apart from its own transaction while it holds a
        # connection (a payment call recorded before the provider hears of it) take theirs
        # from a pool of their own: from the command's pool, a busy server's commands would
        # each hold one connection and wait for another until none is left.
        self._apart_pool: AsyncEngine | None = (
            None
            if self.is_sqlite
            else create_async_engine(
                url,
                echo=echo,
                hide_parameters=True,
                pool_size=max(2, pool_size // 4),
                max_overflow=max(2, pool_size // 4),
            )
        )
        self._apart_engine = (
            self._apart_pool.execution_options(isolation_level="AUTOCOMMIT")
            if self._apart_pool is not None
            else self._read_engine
        )
        self.sessionmaker = async_sessionmaker(
            self.engine, class_=AsyncSession, expire_on_commit=False, autoflush=False
        )
        # Facts that never change once written (a channel's id by its code), kept per engine.
        self.write_once: dict[tuple[str, str], Any] = {}
        # Called after each commit that wrote events (see ``api.events.feed``).
        self.events_committed: list[Callable[[], None]] = []
        # SQLite has one writer at a time; queueing writers here avoids lock-upgrade deadlocks.
        self._writer_lock: asyncio.Lock | None = asyncio.Lock() if self.is_sqlite else None

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        return cls(settings.database_url, pool_size=settings.db_pool_size, echo=settings.sql_echo)

    def session(self) -> AsyncSession:
        return self.sessionmaker()

    def reader(self) -> AsyncConnection:
        """A connection for reads (see ``api.reads.Reader``); use as ``async with``."""
        return self._read_engine.connect()

    def apart(self) -> AsyncConnection:
        """An autocommit connection for a statement that must commit now, apart from the
        command that runs it (see ``__init__``); use as ``async with``."""
        return self._apart_engine.connect()

    def unit_of_work(self, actor: str) -> UnitOfWork:
        return UnitOfWork(self, actor)

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self._apart_pool is not None:
            await self._apart_pool.dispose()


RowT = TypeVar("RowT")


class UnitOfWork:
    """One command, one transaction: rows, ledger movements and events commit together, or none.

    Leaving the block without ``commit()`` rolls everything back, events included.
    """

    session: AsyncSession

    def __init__(self, database: Database, actor: str) -> None:
        self.database = database
        self.actor = actor
        self._events: list[DomainEvent] = []
        self._changed_levels: dict[tuple[int, int], int] = {}
        self._committed = False

    async def __aenter__(self) -> UnitOfWork:
        if self.database._writer_lock is not None:
            await self.database._writer_lock.acquire()
        self.session = self.database.sessionmaker()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if not self._committed:
                await self.session.rollback()
            await self.session.close()
        finally:
            if self.database._writer_lock is not None:
                self.database._writer_lock.release()

    async def lock(self, model: type[RowT], row_id: int, *, what: str, field: str) -> RowT:
        """The ``model`` row ``row_id``, locked against concurrent changes until the command
        ends; NotFound naming the input ``field`` when there is none."""
        key = model.id  # type: ignore[attr-defined]
        found = await self.session.execute(select(model).where(key == row_id).with_for_update())
        row = found.scalar_one_or_none()
        if row is None:
            raise NotFound(what, row_id, field=[field])
        return row

    def record(self, event: DomainEvent) -> None:
        """``event`` is logged when the command commits, with everything else it wrote."""
        self._events.append(event)

    def level_changed(self, level_id: int, location_id: int, sku_id: int) -> None:
        """Stock at this level moved. Whoever follows the level learns of it from this command's
        events: the one that lists the level, else an InventoryLevelChanged written for it."""
        self._changed_levels[(location_id, sku_id)] = level_id

    def _unlisted_level_events(self) -> list[DomainEvent]:
        listed = {level for event in self._events for level in event.levels_listed()}
        return [
            InventoryLevelChanged(level_id=level_id, location_id=location_id, sku_id=sku_id)
            for (location_id, sku_id), level_id in self._changed_levels.items()
            if (location_id, sku_id) not in listed
        ]

    async def commit(self) -> None:
        await self._write_events()
        await self.session.commit()
        self._committed = True
        if self._events:
            for listener in self.database.events_committed:
                listener()

    async def _write_events(self) -> None:
        self._events.extend(self._unlisted_level_events())
        if not self._events:
            return
        now = utcnow()
        rows = [
            {
                "occurred_at": now,
                "type": event.type.value,
                "aggregate_type": event.aggregate_type,
                "aggregate_id": event.aggregate_id,
                "actor": self.actor,
                "payload": event.payload,
                "order_id": event.order_concerned,
            }
            for event in self._events
        ]
        await self.session.execute(
            commit_ordered_insert(Event.__table__, self.database.is_sqlite),  # type: ignore[attr-defined]
            rows,
        )
