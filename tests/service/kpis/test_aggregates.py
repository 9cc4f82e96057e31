from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Integer, String, Subquery, literal, select, union_all

from api.db import Database
from api.dbtypes import UtcDateTime
from api.kpis.aggregates import percentiles_by, seconds_between


def sample(*numbers: int, group: str = "a") -> Subquery:
    return union_all(
        *(
            select(literal(group, String()).label("g"), literal(n, Integer()).label("v"))
            for n in numbers
        )
    ).subquery()


@pytest.mark.parametrize(
    ("numbers", "expected"),
    [
        ((3, 1, 4, 10, 5, 9, 2, 6, 8, 7), (5, 9, 10)),  # p50 at rank 5, p90 at 9, p100 at 10
        ((7,), (7, 7, 7)),
        ((1, 2, 3), (2, 3, 3)),  # ranks ceil(1.5)=2, ceil(2.7)=3
    ],
)
async def test_percentiles_are_nearest_rank(
    database: Database, numbers: tuple[int, ...], expected: tuple[int, int, int]
) -> None:
    table = sample(*numbers)
    async with database.reader() as reader:
        statement = percentiles_by(select(table.c.g, table.c.v), [50, 90, 100])
        row = (await reader.execute(statement)).one()
    assert tuple(row) == ("a", *expected)


async def test_each_group_and_each_column_has_its_own(database: Database) -> None:
    table = union_all(select(sample(1, 2, 3, group="a")), select(sample(10, 20, group="b")))
    both = table.subquery()
    nothing = literal(None, Integer())
    async with database.reader() as reader:
        statement = percentiles_by(select(both.c.g, both.c.v, nothing), [50])
        rows = sorted(tuple(row) for row in await reader.execute(statement))
    assert rows == [("a", 2, None), ("b", 10, None)]


async def test_seconds_between_timestamps(database: Database) -> None:
    placed = datetime(2026, 3, 1, 22, 30, tzinfo=UTC)
    shipped = placed + timedelta(days=1, hours=2, seconds=15)
    async with database.reader() as reader:
        seconds = (
            await reader.execute(
                select(
                    seconds_between(
                        literal(shipped, UtcDateTime()),
                        literal(placed, UtcDateTime()),
                        reader.dialect.name,
                    )
                )
            )
        ).scalar_one()
    assert seconds == pytest.approx(26 * 3600 + 15, abs=0.01)
