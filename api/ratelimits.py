"""Query budgets: a leaky bucket per principal that drains at its rate and holds
``BURST_SECONDS`` of it; a query fits when its cost fits in what is free.

On PostgreSQL the buckets are rows that every worker, on every machine, charges with one
atomic statement, so a partner's budget is the same however many processes serve it; the
table is unlogged (a crash forgets the buckets: everyone starts with a full budget, which is
harmless). On SQLite, which serves one process, they live in that process's memory.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple, Protocol

from sqlalchemy import text
from sqlmodel import Field, SQLModel

from api.db import Database
from api.dbtypes import UtcDateTime, utcnow

BURST_SECONDS = 10


class Charge(NamedTuple):
    allowed: bool
    left: int
    """Points free after this charge (or, refused, now)."""
    wait: float
    """Seconds until the refused cost would fit; 0 when allowed."""


class RateLimits(Protocol):
    async def charge(self, who: str, cost: int, points_per_second: int) -> Charge: ...


class RateLimitBucket(SQLModel, table=True):
    __tablename__ = "rate_limit_bucket"

    principal: str = Field(primary_key=True, max_length=100)
    level: float = Field(nullable=False)
    allowed: bool = Field(nullable=False)
    """Whether the last charge fitted: what the charging statement reports back."""
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)


def _outcome(allowed: bool, level: float, cost: int, rate: int) -> Charge:
    capacity = rate * BURST_SECONDS
    if allowed:
        return Charge(True, int(capacity - level), 0.0)
    return Charge(False, int(capacity - level), (level + cost - capacity) / rate)


@dataclass
class _Bucket:
    level: float
    at: float


class LocalBuckets:
    """The buckets of one process (SQLite serves one)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._buckets: dict[str, _Bucket] = {}
        self._clock = clock

    async def charge(self, who: str, cost: int, points_per_second: int) -> Charge:
        now = self._clock()
        bucket = self._buckets.setdefault(who, _Bucket(0.0, now))
        bucket.level = max(0.0, bucket.level - (now - bucket.at) * points_per_second)
        bucket.at = now
        allowed = bucket.level + cost <= points_per_second * BURST_SECONDS
        if allowed:
            bucket.level += cost
        return _outcome(allowed, bucket.level, cost, points_per_second)


# The bucket's row is locked by the upsert, so concurrent charges of one principal queue and
# each sees the level the one before left.
_COST, _CAPACITY = "CAST(:cost AS float8)", "CAST(:capacity AS float8)"
_DRAINED = "GREATEST(0, b.level - EXTRACT(EPOCH FROM now() - b.updated_at) * CAST(:rate AS float8))"
_CHARGE = text(f"""
INSERT INTO rate_limit_bucket AS b (principal, level, allowed, updated_at)
VALUES (:who, CASE WHEN {_COST} <= {_CAPACITY} THEN {_COST} ELSE 0 END, {_COST} <= {_CAPACITY},
        now())
ON CONFLICT (principal) DO UPDATE SET
  allowed = {_DRAINED} + {_COST} <= {_CAPACITY},
  level = {_DRAINED} + CASE WHEN {_DRAINED} + {_COST} <= {_CAPACITY} THEN {_COST} ELSE 0 END,
  updated_at = now()
RETURNING allowed, level
""")


class SharedBuckets:
    """Buckets in PostgreSQL, shared by every process serving the API."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def charge(self, who: str, cost: int, points_per_second: int) -> Charge:
        parameters = {
            "who": who,
            "cost": float(cost),
            "rate": float(points_per_second),
            "capacity": float(points_per_second * BURST_SECONDS),
        }
        async with self._database.reader() as connection:  # autocommit: one statement
            allowed, level = (await connection.execute(_CHARGE, parameters)).one()
        return _outcome(bool(allowed), float(level), cost, points_per_second)


def rate_limits_for(database: Database) -> RateLimits:
    return LocalBuckets() if database.is_sqlite else SharedBuckets(database)
