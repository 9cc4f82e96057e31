"""Buckets: the database and Python agree on the day, ISO week and month a moment falls in."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import literal, select

from api.db import Database
from api.dbtypes import UtcDateTime
from api.kpis.periods import Granularity, Period, as_day, bucket_of

SUNDAY_NIGHT = datetime(2026, 3, 1, 23, 59, 59, tzinfo=UTC)


@pytest.mark.parametrize(
    ("granularity", "expected"),
    [
        (Granularity.DAY, "2026-03-01"),
        (Granularity.WEEK, "2026-02-23"),  # the Monday before
        (Granularity.MONTH, "2026-03-01"),
    ],
)
async def test_the_database_buckets_like_python(
    database: Database, granularity: Granularity, expected: str
) -> None:
    async with database.reader() as reader:
        moment = literal(SUNDAY_NIGHT, UtcDateTime())
        found = await reader.execute(select(bucket_of(moment, granularity, reader.dialect.name)))
    assert as_day(found.scalar_one()).isoformat() == expected
    period = Period.of(SUNDAY_NIGHT, datetime(2026, 3, 2, tzinfo=UTC), granularity)
    assert period.bucket_key(SUNDAY_NIGHT.date()).isoformat() == expected


def test_buckets_cover_the_period_and_no_more() -> None:
    period = Period.of(
        datetime(2026, 1, 30, 12, tzinfo=UTC), datetime(2026, 3, 2, tzinfo=UTC), Granularity.MONTH
    )
    buckets = period.buckets()
    assert [bucket.key for bucket in buckets] == [
        date(2026, 1, 1),
        date(2026, 2, 1),
        date(2026, 3, 1),
    ]
    assert buckets[0].start == period.start and buckets[-1].end == period.end
    assert buckets[0].days == 1.5 and buckets[1].days == 28 and buckets[2].days == 1
