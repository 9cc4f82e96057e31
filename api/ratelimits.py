"""Budgets: a leaky bucket per caller that drains at its rate and holds its capacity (for
queries, ``BURST_SECONDS`` of the rate); a charge fits when its cost fits in what is free.

On PostgreSQL the buckets are rows that every worker, on every machine, charges with one
atomic statement, so a partner's budget is the same however many processes serve it; the
table is unlogged (a crash forgets the buckets: everyone starts with a full budget, which is
harmless). On SQLite, which serves one process, they live in that process's memory.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple, Protocol

from sqlalchemy import text
from sqlmodel import Field, SQLModel

from api.auth import Principal
from api.db import Database
from api.dbtypes import UtcDateTime, utcnow

BURST_SECONDS = 10


class Charge(NamedTuple):
    allowed: bool
    left: int
    """Points free after this charge (or, refused, now)."""
    wait: float
    """Seconds until the refused cost would fit; 0 when allowed."""


@dataclass(frozen=True)
class Budget:
    rate: float
    """Points per second the bucket drains."""
    capacity: float

    @classmethod
    def per_second(cls, points_per_second: int) -> Budget:
        """A query budget: ``BURST_SECONDS`` of the rate."""
        return cls(points_per_second, points_per_second * BURST_SECONDS)


class RateLimits(Protocol):
    async def charge(self, who: str, cost: int, budget: Budget) -> Charge: ...

    async def refund(self, who: str, cost: int, budget: Budget) -> None:
        """Gives back points a charge took (down to an empty bucket)."""


def address_key(host: str | None) -> str:
    """The bucket of an anonymous caller: its address, an IPv6 one by its /64 (the block one
    subscriber is given, which it may spread its requests across)."""
    try:
        address = ipaddress.ip_address(host or "")
    except ValueError:  # not an address (a test client's name): as it is
        return f"address:{(host or 'unknown')[:64]}"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return f"address:{address.ipv4_mapped}"
        return f"address:{ipaddress.IPv6Network((address, 64), strict=False)}"
    return f"address:{address}"


class RateLimitBucket(SQLModel, table=True):
    __tablename__ = "rate_limit_bucket"

    principal: str = Field(primary_key=True, max_length=100)
    level: float = Field(nullable=False)
    allowed: bool = Field(nullable=False)
    """Whether the last charge fitted: what the charging statement reports back."""
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)


def bucket_of(principal: Principal, client_host: str | None) -> str:
    """Whose budget a caller spends: its key's or its account's; an anonymous caller (a
    customer with a tracking token, a visitor) its address's, so that no client can spend
    everyone else's."""
    return principal.actor if principal.is_authenticated else address_key(client_host)


def _outcome(allowed: bool, level: float, cost: int, budget: Budget) -> Charge:
    if allowed:
        return Charge(True, int(budget.capacity - level), 0.0)
    wait = (level + cost - budget.capacity) / budget.rate
    return Charge(False, int(budget.capacity - level), wait)


@dataclass
class _Bucket:
    level: float
    at: float


PRUNE_EVERY_SECONDS = 60.0
"""How often buckets left alone long enough to be empty are forgotten: without it, callers
from ever new addresses would grow the buckets without end."""


class LocalBuckets:
    """The buckets of one process (SQLite serves one)."""

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, idle_seconds: float = 3600.0
    ) -> None:
        self._buckets: dict[str, _Bucket] = {}
        self._clock = clock
        self._idle_seconds = idle_seconds
        self._pruned_at = clock()

    def _drained(self, who: str, budget: Budget) -> _Bucket:
        now = self._clock()
        if now - self._pruned_at >= PRUNE_EVERY_SECONDS:
            self._pruned_at = now
            horizon = now - self._idle_seconds
            self._buckets = {key: old for key, old in self._buckets.items() if old.at >= horizon}
        bucket = self._buckets.setdefault(who, _Bucket(0.0, now))
        bucket.level = max(0.0, bucket.level - (now - bucket.at) * budget.rate)
        bucket.at = now
        return bucket

    async def charge(self, who: str, cost: int, budget: Budget) -> Charge:
        bucket = self._drained(who, budget)
        allowed = bucket.level + cost <= budget.capacity
        if allowed:
            bucket.level += cost
        return _outcome(allowed, bucket.level, cost, budget)

    async def refund(self, who: str, cost: int, budget: Budget) -> None:
        bucket = self._drained(who, budget)
        bucket.level = max(0.0, bucket.level - cost)


# The bucket's row is locked by the upsert, so concurrent charges of one principal queue and
# each sees the level the one before left. now() is when a statement began: one that began
# before the charge it queued behind drains nothing (not a negative time, which would fill
# the bucket), and the bucket's moment never goes back.
_COST, _CAPACITY = "CAST(:cost AS float8)", "CAST(:capacity AS float8)"
_ELAPSED = "GREATEST(0, EXTRACT(EPOCH FROM now() - b.updated_at))"
_DRAINED = f"GREATEST(0, b.level - {_ELAPSED} * CAST(:rate AS float8))"
_MOMENT = "GREATEST(b.updated_at, now())"
_CHARGE = text(f"""
INSERT INTO rate_limit_bucket AS b (principal, level, allowed, updated_at)
VALUES (:who, CASE WHEN {_COST} <= {_CAPACITY} THEN {_COST} ELSE 0 END, {_COST} <= {_CAPACITY},
        now())
ON CONFLICT (principal) DO UPDATE SET
  allowed = {_DRAINED} + {_COST} <= {_CAPACITY},
  level = {_DRAINED} + CASE WHEN {_DRAINED} + {_COST} <= {_CAPACITY} THEN {_COST} ELSE 0 END,
  updated_at = {_MOMENT}
RETURNING allowed, level
""")
_REFUND = text(f"""
UPDATE rate_limit_bucket AS b SET level = GREATEST(0, {_DRAINED} - {_COST}), updated_at = {_MOMENT}
WHERE principal = :who
""")


_PRUNE = text(
    "DELETE FROM rate_limit_bucket WHERE updated_at < now() - make_interval(secs => :idle)"
)


class SharedBuckets:
    """Buckets in PostgreSQL, shared by every process serving the API."""

    def __init__(self, database: Database, idle_seconds: float = 3600.0) -> None:
        self._database = database
        self._idle_seconds = idle_seconds
        self._pruned_at = time.monotonic()

    async def _prune_now_and_then(self) -> None:
        now = time.monotonic()
        if now - self._pruned_at < PRUNE_EVERY_SECONDS:
            return
        self._pruned_at = now
        async with self._database.apart() as connection:
            await connection.execute(_PRUNE, {"idle": self._idle_seconds})

    async def charge(self, who: str, cost: int, budget: Budget) -> Charge:
        parameters = {
            "who": who,
            "cost": float(cost),
            "rate": float(budget.rate),
            "capacity": float(budget.capacity),
        }
        async with self._database.apart() as connection:  # autocommit: one statement
            allowed, level = (await connection.execute(_CHARGE, parameters)).one()
        await self._prune_now_and_then()
        return _outcome(bool(allowed), float(level), cost, budget)

    async def refund(self, who: str, cost: int, budget: Budget) -> None:
        parameters = {"who": who, "cost": float(cost), "rate": float(budget.rate)}
        async with self._database.apart() as connection:
            await connection.execute(_REFUND, parameters)


def rate_limits_for(database: Database, idle_seconds: float = 3600.0) -> RateLimits:
    """The buckets for ``database``; one untouched for ``idle_seconds`` (longer than any budget
    takes to drain) is empty, and forgotten."""
    if database.is_sqlite:
        return LocalBuckets(idle_seconds=idle_seconds)
    return SharedBuckets(database, idle_seconds)
