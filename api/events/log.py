"""Reading the event log in an order that never skips an event.

Event ids come from a sequence, so they are handed out in call order, not commit order: a
transaction that drew id 7 may commit after one that drew id 8, and a reader that had moved past
8 would never see 7. Serialising writers would fix that at the price of every commit waiting for
the previous one. Instead each event carries its transaction's id, and the log is read in
(transaction_id, id) order, only up to the oldest transaction still running
(``pg_snapshot_xmin``): every transaction below that bound has finished, and every one that
finishes later has a transaction id at or above it, so commits only ever extend the log after
the last position a reader has seen. The price is that events wait while an older writer is
still running, which for the short transactions of this API is milliseconds.

SQLite has one writer at a time, so there id order is commit order and every row carries 0.

The stock ledger (``inventory_movement``) is written the same way and read the same way by the
KPI projection, which sums each movement into its level's day exactly once.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol, TypeVar

from sqlalchemy import BigInteger, Select, Text, bindparam, cast, func, select, tuple_
from sqlmodel import SQLModel, col

from api.errors import InvalidInput
from api.events.models import Event
from api.reads import Reader, as_records, columns
from api.signing import digests_match
from api.validation import whole_number


class CommitOrdered(Protocol):
    """A row of a table read in commit order: the event log, the stock ledger."""

    id: int | None
    transaction_id: int | None


RowT = TypeVar("RowT", bound=SQLModel)
CURSOR_TAG_LENGTH = 24
"""Hex digits of a cursor's signature (96 bits)."""


@dataclass(frozen=True, order=True)
class LogPosition:
    """A place in the log: the last event a reader has seen."""

    transaction_id: int
    event_id: int

    def encode(self, key: str) -> str:
        """The position as a cursor, signed with ``key``: only cursors this API issued are
        taken back (``decode_position``)."""
        raw = f"event:{self.transaction_id}:{self.event_id}"
        return base64.urlsafe_b64encode(f"{raw}:{_cursor_tag(key, raw)}".encode()).decode()

    def reaches(self, event: Event) -> bool:
        """The event is at or before this position."""
        return (event.transaction_id or 0, event.id or 0) <= (self.transaction_id, self.event_id)

    @classmethod
    def of(cls, row: CommitOrdered) -> LogPosition:
        assert row.id is not None and row.transaction_id is not None
        return cls(row.transaction_id, row.id)


START = LogPosition(-1, 0)


def _cursor_tag(key: str, raw: str) -> str:
    message = f"event-cursor:{raw}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()[:CURSOR_TAG_LENGTH]


def decode_position(cursor: str, key: str, field: str = "after") -> LogPosition:
    """The position of a cursor that ``LogPosition.encode`` made with ``key``; any other is
    refused, so that no caller can start a replay anywhere it likes."""
    try:
        prefix, transaction_id, event_id, tag = (
            base64.urlsafe_b64decode(cursor.encode("ascii")).decode().split(":")
        )
        transaction = whole_number(transaction_id.removeprefix("-"))
        event = whole_number(event_id)
        signed = digests_match(_cursor_tag(key, f"{prefix}:{transaction_id}:{event_id}"), tag)
        if prefix == "event" and transaction is not None and event is not None and signed:
            sign = -1 if transaction_id.startswith("-") else 1
            return LogPosition(sign * transaction, event)
    except (binascii.Error, UnicodeError, ValueError):
        pass
    raise InvalidInput(f"{field} is not a valid event cursor", field=[field])


def _oldest_running_transaction() -> Any:
    return cast(cast(func.pg_snapshot_xmin(func.pg_current_snapshot()), Text), BigInteger)


@cache
def _log_query(model: type[Any], dialect: str, filtered: bool, one_order: bool) -> Select[Any]:
    log = columns(model)
    statement = (
        select(*log)
        .where(
            tuple_(log.transaction_id, log.id)
            > tuple_(bindparam("after_transaction"), bindparam("after_id"))
        )
        .order_by(log.transaction_id, log.id)
        .limit(bindparam("limit"))
    )
    if dialect == "postgresql":
        statement = statement.where(log.transaction_id < _oldest_running_transaction())
    if filtered:
        statement = statement.where(col(Event.type).in_(bindparam("types", expanding=True)))
    if one_order:
        statement = statement.where(col(Event.order_id) == bindparam("order_id"))
    return statement


async def read_committed(
    reader: Reader,
    model: type[RowT],
    after: LogPosition = START,
    limit: int = 1_000,
    types: Sequence[str] | None = None,
    order_id: int | None = None,
) -> list[RowT]:
    """Up to ``limit`` committed rows of a commit-ordered table after ``after``, in log order
    (``types``: only events of these types; ``order_id``: only events about that order, read
    by its index)."""
    statement = _log_query(model, reader.dialect.name, bool(types), order_id is not None)
    parameters: dict[str, Any] = {
        "after_transaction": after.transaction_id,
        "after_id": after.event_id,
        "limit": limit,
    }
    if types:
        parameters["types"] = list(types)
    if order_id is not None:
        parameters["order_id"] = order_id
    return as_records((await reader.execute(statement, parameters)).all(), model)


async def read_log(
    reader: Reader,
    after: LogPosition = START,
    limit: int = 100,
    types: Sequence[str] | None = None,
    order_id: int | None = None,
) -> list[Event]:
    """Up to ``limit`` committed events after ``after``, in log order (``types``: only these;
    ``order_id``: only those about that order)."""
    return await read_committed(reader, Event, after, limit, types, order_id)


@dataclass(frozen=True)
class CommitHorizon:
    """The events committed at one moment, told apart from any committed later: on PostgreSQL
    by the moment's snapshot (transactions below its xmin, or below its xmax and not among
    those then running), on SQLite by the last event id (one writer at a time)."""

    last_event_id: int = 0
    xmin: int = 0
    xmax: int = 0
    running: frozenset[int] = frozenset()

    def includes(self, event: Event) -> bool:
        transaction = event.transaction_id or 0
        if not transaction:
            return (event.id or 0) <= self.last_event_id
        return transaction < self.xmin or (
            transaction < self.xmax and transaction not in self.running
        )


async def commit_horizon(reader: Reader) -> CommitHorizon:
    if reader.dialect.name == "postgresql":
        snapshot = (
            await reader.execute(select(cast(func.pg_current_snapshot(), Text)))
        ).scalar_one()
        xmin, xmax, running = snapshot.split(":")
        return CommitHorizon(
            xmin=int(xmin),
            xmax=int(xmax),
            running=frozenset(int(xid) for xid in running.split(",") if xid),
        )
    last = (await reader.execute(select(func.max(columns(Event).id)))).scalar_one()
    return CommitHorizon(last_event_id=last or 0)


@cache
def _end_query(model: type[Any], dialect: str) -> Select[Any]:
    log = columns(model)
    statement = select(log.transaction_id, log.id).order_by(
        log.transaction_id.desc(), log.id.desc()
    )
    if dialect == "postgresql":
        statement = statement.where(log.transaction_id < _oldest_running_transaction())
    return statement.limit(1)


async def log_end(reader: Reader, model: type[CommitOrdered] = Event) -> LogPosition:
    """The position after the last row (event, by default) a reader can see now (START for an
    empty table)."""
    row = (await reader.execute(_end_query(model, reader.dialect.name))).first()
    return START if row is None else LogPosition(row[0], row[1])
