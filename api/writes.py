"""Cheap single-row inserts: one prepared statement per table, values passed as parameters.

Building an INSERT from values on every call costs more Python than the database spends on
it; a statement built once is compiled once and then only executed.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Insert, Table, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel


@cache
def _insert_returning_id(table: Table) -> Insert:
    return insert(table).returning(table.c.id)


async def insert_row(session: AsyncSession, row: SQLModel) -> int:
    """Inserts ``row`` (a new table model instance), sets its id and returns it."""
    table: Table = row.__table__  # type: ignore[attr-defined]
    values: dict[str, Any] = {
        column.name: getattr(row, column.name) for column in table.columns if column.name != "id"
    }
    new_id = int((await session.execute(_insert_returning_id(table), values)).scalar_one())
    row.id = new_id
    return new_id
