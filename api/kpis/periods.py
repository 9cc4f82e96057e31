"""The period a KPI covers and the buckets of its time series (UTC days, ISO weeks starting on
Monday, calendar months), the same in Python and in SQL on both backends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Date, cast, func, literal_column, type_coerce

from api.errors import InvalidInput

MAX_BUCKETS = 400
"""A little over a year of days: more points than any chart draws."""


class Granularity(StrEnum):
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"


def _floor(day: date, granularity: Granularity) -> date:
    if granularity is Granularity.WEEK:
        return day - timedelta(days=day.weekday())
    if granularity is Granularity.MONTH:
        return day.replace(day=1)
    return day


def _next(day: date, granularity: Granularity) -> date:
    if granularity is Granularity.WEEK:
        return day + timedelta(days=7)
    if granularity is Granularity.MONTH:
        return (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return day + timedelta(days=1)


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


def day_after(moment: datetime) -> date:
    """The first day starting at or after ``moment`` (UTC): the end of the whole days up to it."""
    day = moment.astimezone(UTC).date()
    return day if moment == midnight(day) else day + timedelta(days=1)


@dataclass(frozen=True)
class Bucket:
    """One point of a series: the bucket's first day, and the part of the period it covers
    (the first and last buckets may be cut short by the period's ends)."""

    key: date
    start: datetime
    end: datetime

    @property
    def days(self) -> float:
        return (self.end - self.start) / timedelta(days=1)


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime
    granularity: Granularity

    @classmethod
    def of(cls, start: datetime, end: datetime, granularity: Granularity) -> Period:
        for name, moment in (("from", start), ("to", end)):
            if moment.tzinfo is None:
                raise InvalidInput(f"{name} needs a time zone", field=[name])
        if end <= start:
            raise InvalidInput("to must come after from", field=["to"])
        period = cls(start.astimezone(UTC), end.astimezone(UTC), granularity)
        if len(period.buckets()) > MAX_BUCKETS:
            raise InvalidInput(
                f"At most {MAX_BUCKETS} points per series: choose a coarser granularity "
                "or a shorter period",
                field=["granularity"],
            )
        return period

    @property
    def days(self) -> float:
        return (self.end - self.start) / timedelta(days=1)

    def bucket_key(self, day: date) -> date:
        return _floor(day, self.granularity)

    def buckets(self) -> list[Bucket]:
        found: list[Bucket] = []
        key = _floor(self.start.date(), self.granularity)
        while midnight(key) < self.end and len(found) <= MAX_BUCKETS:
            following = _next(key, self.granularity)
            found.append(
                Bucket(key, max(midnight(key), self.start), min(midnight(following), self.end))
            )
            key = following
        return found


def bucket_of(moment: Any, granularity: Granularity, dialect: str) -> ColumnElement[date]:
    """The first day of the bucket a UTC timestamp column falls in (as a date on PostgreSQL,
    as YYYY-MM-DD text on SQLite: read it with ``as_day``)."""
    if dialect == "postgresql":
        unit = {Granularity.DAY: "day", Granularity.WEEK: "week", Granularity.MONTH: "month"}
        utc = moment.op("AT TIME ZONE")(literal_column("'UTC'"))
        return cast(func.date_trunc(unit[granularity], utc), Date)
    # SQLite keeps UTC timestamps as text; 'weekday 0' moves to the coming Sunday (or stays).
    if granularity is Granularity.WEEK:
        return type_coerce(func.date(moment, "weekday 0", "-6 days"), Date)
    if granularity is Granularity.MONTH:
        return type_coerce(func.strftime("%Y-%m-01", moment), Date)
    return type_coerce(func.date(moment), Date)


def as_day(value: date | str) -> date:
    """A day as the database returns it from an expression (SQLite may give text)."""
    return value if isinstance(value, date) else date.fromisoformat(value)
