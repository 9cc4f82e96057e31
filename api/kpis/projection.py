"""Keeping the KPI summary tables current from the event log and the stock ledger.

Every change an order goes through (placed, edited, cancelled, picked, shipped, delivered,
returned, rated) is an event naming the order: for each batch of the log the projection
recomputes the facts of the orders it names from the raw rows. Every change to stock is a row of
the ledger: the projection reads the ledger in commit order too, and adds each batch of
movements to their levels' days, so a busy day costs each batch its own movements, not the
day's. Each half moves its own cursor in the batch's transaction
(``api.events.projections``): a batch is applied exactly once, and the facts are always what
the raw rows say.

It runs in the API's process (woken by commits, and on a timer), before every ``kpis`` answer
(so that answer includes every change committed before it) and at the end of each simulated
day.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date
from functools import cache
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from api.auth import SYSTEM_ACTOR
from api.db import Database, UnitOfWork
from api.events.log import START, log_end
from api.events.models import Event
from api.events.projections import follow, locked_cursor, move_cursor
from api.events.topics import order_id_of
from api.inventory.models import InventoryMovement, MovementKind
from api.inventory.statuses import InventoryBucket
from api.kpis.facts import order_facts
from api.kpis.models import KpiOrderFact, KpiStockDay
from api.orders.models import Order
from api.reads import columns

NAME = "kpis"
LEDGER = "kpi-ledger"
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


async def add_stock_days(uow: UnitOfWork, movements: list[InventoryMovement]) -> None:
    """Adds the movements to their levels' UTC days."""
    days: dict[tuple[int, int, date], list[Any]] = {}
    for movement in movements:
        key = (movement.location_id, movement.sku_id, movement.created_at.astimezone(UTC).date())
        sums = days.setdefault(key, [0, 0, 0, 0.0])
        if movement.bucket == InventoryBucket.ON_HAND:
            sums[0] += movement.quantity
            sums[3] += movement.quantity * movement.created_at.timestamp()
            if movement.kind == MovementKind.SHIPMENT:
                sums[2] -= movement.quantity
        elif movement.bucket == InventoryBucket.RESERVED:
            sums[1] += movement.quantity
    rows = [
        dict(zip(_STOCK_DAY_KEY + _STOCK_DAY_SUMS, (*key, *sums), strict=True))
        for key, sums in days.items()
    ]
    await uow.session.execute(_add_to_stock_days(uow.database.engine.dialect.name), rows)


_STOCK_DAY_KEY = ("location_id", "sku_id", "day")
_STOCK_DAY_SUMS = ("on_hand_change", "reserved_change", "shipped", "on_hand_moments")


@cache
def _add_to_stock_days(dialect: str) -> Any:
    table = columns(KpiStockDay).day.table
    upsert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    return upsert.on_conflict_do_update(
        index_elements=list(_STOCK_DAY_KEY),
        set_={name: table.c[name] + upsert.excluded[name] for name in _STOCK_DAY_SUMS},
    )


async def catch_up(database: Database) -> int:
    """Applies the events and movements committed since the last batches; the number of events
    applied."""
    applied = await follow(database, NAME, Event, _refresh_named_orders, batch=BATCH)
    await follow(database, LEDGER, InventoryMovement, add_stock_days, batch=BATCH)
    return applied


async def _refresh_named_orders(uow: UnitOfWork, events: list[Event]) -> None:
    await refresh_orders(uow, {order_id for event in events if (order_id := order_id_of(event))})


async def rebuild(database: Database) -> None:
    """Recomputes the summary tables from the raw rows, and continues from the log's end."""
    order = columns(Order)
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        session = uow.session
        await locked_cursor(uow, NAME)
        await locked_cursor(uow, LEDGER)
        await session.execute(delete(columns(KpiOrderFact).order_id.table))
        order_ids = list((await session.execute(select(order.id))).scalars())
        await refresh_orders(uow, order_ids)
        await move_cursor(uow, NAME, await log_end(await session.connection()))
        # The ledger is summed afresh from its first movement by the next catch-up.
        await session.execute(delete(columns(KpiStockDay).day.table))
        await move_cursor(uow, LEDGER, START)
        await uow.commit()
    await catch_up(database)
