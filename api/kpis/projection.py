"""Keeping the KPI summary tables current from the event log.

Every change an order goes through (placed, edited, cancelled, picked, shipped, delivered,
returned, rated) is an event naming the order, and every change to stock is an event naming
its levels. The projection reads the log from where it stopped, in the order that never skips
an event (``api.events.log``), and for each batch recomputes from the raw rows the facts of the
orders it names and the ledger days of the levels it names, then moves its cursor, all in one
transaction (``api.events.projections``): a batch is applied exactly once, and the facts are
always what the raw rows say.

It runs in the API's process (woken by commits, and on a timer), before every ``kpis`` answer
(so that answer includes every change committed before it) and at the end of each simulated
day.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    delete,
    func,
    insert,
    select,
)
from sqlalchemy.dialects import postgresql

from api.auth import SYSTEM_ACTOR
from api.db import Database, UnitOfWork
from api.events.log import LogPosition, log_end, read_log
from api.events.projections import locked_cursor, move_cursor
from api.events.topics import levels_of, order_id_of
from api.inventory.models import InventoryMovement
from api.kpis.facts import order_facts, stock_days
from api.kpis.models import KpiOrderFact, KpiStockDay
from api.orders.models import Order
from api.reads import columns

NAME = "kpis"
BATCH = 1_000


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


async def catch_up(database: Database) -> int:
    """Applies the events committed since the last batch; the number applied."""
    applied = 0
    while True:
        async with database.unit_of_work(SYSTEM_ACTOR) as uow:
            cursor = await locked_cursor(uow, NAME)
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
            await move_cursor(uow, NAME, LogPosition.of(events[-1]))
            await uow.commit()
            applied += len(events)


async def rebuild(database: Database) -> None:
    """Recomputes the summary tables from the raw rows, and continues from the log's end."""
    order, movement = columns(Order), columns(InventoryMovement)
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        session = uow.session
        await locked_cursor(uow, NAME)
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
        await move_cursor(uow, NAME, await log_end(await session.connection()))
        await uow.commit()
