"""Cheap single-row inserts: one prepared statement per table, values passed as parameters.

Building an INSERT from values on every call costs more Python than the database spends on
it; a statement built once is compiled once and then only executed.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import BigInteger, Insert, Table, insert, literal_column
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel


@cache
def _insert_returning_id(table: Table) -> Insert:
    return insert(table).returning(table.c.id)


CURRENT_TRANSACTION_ID = "CAST(CAST(pg_current_xact_id() AS TEXT) AS BIGINT)"
"""PostgreSQL's id of the writing transaction, which each row of a table read in commit order
carries."""


@cache
def commit_ordered_insert(table: Table, is_sqlite: bool) -> Insert:
    """The INSERT of a table read in commit order (the event log, the stock ledger). On
    PostgreSQL each row carries its transaction's id, which is what lets ``api.events.log``
    read such a table in an order that commits only ever extend at the end, without
    serialising writers; SQLite has one writer at a time, so id order is commit order."""
    statement = insert(table)
    if is_sqlite:
        return statement
    return statement.values(transaction_id=literal_column(CURRENT_TRANSACTION_ID, BigInteger))


async def insert_row(session: AsyncSession, row: SQLModel) -> int:
    """Inserts ``row`` (a new table model instance), sets its id and returns it."""
    table: Table = row.__table__  # type: ignore[attr-defined]
    values: dict[str, Any] = {
        column.name: getattr(row, column.name) for column in table.columns if column.name != "id"
    }
    new_id = int((await session.execute(_insert_returning_id(table), values)).scalar_one())
    row.id = new_id
    return new_id
