"""Keeping the KPI summary tables current from the event log.

Every change an order goes through (placed, edited, cancelled, picked, shipped, delivered,
returned, rated) is an event naming the order, and every change to stock is an event naming
its levels. The projection reads the log from where it stopped, in the order that never skips
an event (``api.events.log``), and for each batch recomputes from the raw rows the facts of the
orders it names and the ledger days of the levels it names, then moves its cursor, all in one
transaction: a batch is applied exactly once, and the facts are always what the raw rows say.

It runs in the API's process (woken by commits, and on a timer), before every ``kpis`` answer
(so that answer includes every change committed before it) and at the end of each simulated
day. Two processes never apply the same batch: the cursor row is locked while a batch is
applied (SQLite has one writer at a time anyway).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql

from api.auth import SYSTEM_ACTOR
from api.db import Database, UnitOfWork
from api.events.log import START, LogPosition, log_end, read_log
from api.events.topics import levels_of, order_id_of
from api.inventory.models import InventoryMovement
from api.kpis.facts import order_facts, stock_days
from api.kpis.models import KpiOrderFact, KpiProjection, KpiStockDay
from api.orders.models import Order
from api.reads import columns

NAME = "kpis"
BATCH = 1_000
log = logging.getLogger("oms.kpis")


async def _replace(uow: UnitOfWork, table: Any, key: list[str], rows: Any) -> None:
    """Writes ``rows`` over the table's rows with the same key. PostgreSQL updates them in
    place (a row's indexed columns never change, so the update stays on its page and the old
    version is reclaimed there); SQLite replaces them."""
    names = [column.name for column in table.columns]
    if uow.database.engine.dialect.name == "postgresql":
        statement = postgresql.insert(table).from_select(names, rows)
        await uow.session.execute(
            statement.on_conflict_do_update(
                index_elements=key,
                set_={name: statement.excluded[name] for name in names if name not in key},
            )
        )
        return
    await uow.session.execute(insert(table).prefix_with("OR REPLACE").from_select(names, rows))


async def refresh_orders(uow: UnitOfWork, order_ids: Iterable[int]) -> None:
    chosen = sorted(set(order_ids))
    table, dialect = columns(KpiOrderFact).order_id.table, uow.database.engine.dialect.name
    for start in range(0, len(chosen), BATCH):
        facts = order_facts(chosen[start : start + BATCH], dialect)
        await _replace(uow, table, ["order_id", "location_id"], facts)


async def refreshstock_days(
    uow: UnitOfWork, pairs: Iterable[tuple[int, int]], first: date, last: date
) -> None:
    """The ledger days from ``first`` to ``last`` of these (location, SKU) levels (the ledger
    only grows, so a day once written is only ever rewritten, never removed)."""
    chosen = sorted(set(pairs))
    if not chosen:
        return
    table, dialect = columns(KpiStockDay).day.table, uow.database.engine.dialect.name
    for start in range(0, len(chosen), BATCH):
        days = stock_days(chosen[start : start + BATCH], first, last, dialect)
        await _replace(uow, table, ["location_id", "sku_id", "day"], days)


async def _cursor(uow: UnitOfWork) -> LogPosition:
    """The projection's position, its row locked for this transaction (made at the start of
    the log the first time; two processes doing so at once make one)."""
    projection = columns(KpiProjection)
    start = {"name": NAME, "transaction_id": START.transaction_id, "event_id": START.event_id}
    first: Any = (
        postgresql.insert(projection.name.table).on_conflict_do_nothing()
        if uow.database.engine.dialect.name == "postgresql"
        else insert(projection.name.table).prefix_with("OR IGNORE")
    )
    await uow.session.execute(first.values(start))
    statement = select(projection.transaction_id, projection.event_id).where(
        projection.name == NAME
    )
    if uow.database.engine.dialect.name == "postgresql":
        statement = statement.with_for_update()
    row = (await uow.session.execute(statement)).one()
    return LogPosition(row.transaction_id, row.event_id)


async def _move_cursor(uow: UnitOfWork, position: LogPosition) -> None:
    projection = columns(KpiProjection)
    await uow.session.execute(
        update(projection.name.table)
        .where(projection.name == NAME)
        .values(transaction_id=position.transaction_id, event_id=position.event_id)
    )


async def catch_up(database: Database) -> int:
    """Applies the events committed since the last batch; the number applied."""
    applied = 0
    while True:
        async with database.unit_of_work(SYSTEM_ACTOR) as uow:
            cursor = await _cursor(uow)
            events = await read_log(await uow.session.connection(), cursor, BATCH)
            if not events:
                await uow.commit()
                return applied
            orders = {order_id for event in events if (order_id := order_id_of(event))}
            pairs = {pair for event in events for pair in levels_of(event)}
            await refresh_orders(uow, orders)
            if pairs:
                days = [event.occurred_at.date() for event in events if levels_of(event)]
                # A movement written just before midnight may commit with an event just after.
                await refreshstock_days(uow, pairs, min(days) - timedelta(days=1), max(days))
            await _move_cursor(uow, LogPosition.of(events[-1]))
            await uow.commit()
            applied += len(events)


async def rebuild(database: Database) -> None:
    """Recomputes the summary tables from the raw rows, and continues from the log's end."""
    order, movement = columns(Order), columns(InventoryMovement)
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        session = uow.session
        await _cursor(uow)
        await session.execute(delete(columns(KpiOrderFact).order_id.table))
        await session.execute(delete(columns(KpiStockDay).day.table))
        order_ids = list((await session.execute(select(order.id))).scalars())
        await refresh_orders(uow, order_ids)
        levels = (
            await session.execute(
                select(
                    movement.location_id,
                    movement.sku_id,
                    func.min(movement.created_at),
                    func.max(movement.created_at),
                ).group_by(movement.location_id, movement.sku_id)
            )
        ).all()
        if levels:
            first = min(row[2] for row in levels).date()
            last = max(row[3] for row in levels).date()
            await refreshstock_days(uow, [(row[0], row[1]) for row in levels], first, last)
        await _move_cursor(uow, await log_end(await session.connection()))
        await uow.commit()


class Projector:
    """The projection kept running in the API's process: woken by this process's commits, and
    every ``poll_seconds`` for the other processes' ones; at most once a ``pause_seconds``, so
    a busy shop's commits are applied in batches rather than one by one."""

    def __init__(
        self, database: Database, poll_seconds: float = 5.0, pause_seconds: float = 1.0
    ) -> None:
        self.database = database
        self.poll_seconds = poll_seconds
        self.pause_seconds = pause_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.database.events_committed.append(self._wake.set)
        self._task = asyncio.create_task(self._run(), name="kpi-projection")

    async def stop(self) -> None:
        with contextlib.suppress(ValueError):
            self.database.events_committed.remove(self._wake.set)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
            self._wake.clear()
            try:
                await catch_up(self.database)
            except Exception:
                log.exception("the KPI projection could not catch up; retrying")
            await asyncio.sleep(self.pause_seconds)
