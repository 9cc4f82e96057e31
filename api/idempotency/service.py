"""Idempotency keys: the first result of a command is kept, and a replay gets it back.

A key is claimed by inserting its record inside the command's own transaction. A concurrent
request with the same key waits on the unique index until the first commits (then it replays
the stored result) or rolls back (then it runs itself), so two requests never both execute.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col

from api import validation
from api.db import RowT, UnitOfWork
from api.dbtypes import UtcDateTime, utcnow
from api.errors import IdempotencyConflict
from api.idempotency.models import IdempotencyRecord
from api.reads import columns


def _this_key(uow: UnitOfWork, key: str) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    return col(IdempotencyRecord.principal) == uow.actor, col(IdempotencyRecord.key) == key


def request_fingerprint(operation: str, request: Mapping[str, Any]) -> str:
    canonical = json.dumps(
        {"operation": operation, "request": request}, sort_keys=True, default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


@cache
def _claim_statement(sqlite: bool, expiring: bool) -> Any:
    """Insert the key's record; on a clash, take over the record only if it has expired."""
    table = columns(IdempotencyRecord).id.table
    statement = (sqlite_insert if sqlite else postgresql_insert)(table)
    if not expiring:
        claimed = statement.on_conflict_do_nothing(index_elements=["principal", "key"])
    else:
        claimed = statement.on_conflict_do_update(
            index_elements=["principal", "key"],
            set_={
                name: statement.excluded[name]
                for name in ("operation", "request_hash", "response", "created_at")
            },
            where=table.c.created_at < bindparam("expired_before", type_=UtcDateTime()),
        )
    return claimed.returning(table.c.id)


@dataclass(frozen=True)
class Claim:
    """The key's record, and the first result when this request is a replay."""

    record_id: int
    replay: dict[str, Any] | None


async def claim(
    uow: UnitOfWork,
    *,
    key: str,
    operation: str,
    request: Mapping[str, Any],
    expires_after: timedelta | None = None,
    known_result: Mapping[str, Any] | None = None,
) -> Claim:
    """Claims ``key`` for this command, or finds the result of its first use.

    ``known_result`` is stored at once when part of the result is known before the command
    runs. A key older than ``expires_after`` is claimed afresh. Raises IDEMPOTENCY_CONFLICT
    when the key is live and was used for a different request.
    """
    key = validation.text(key, "idempotencyKey", max_length=255)
    fingerprint = request_fingerprint(operation, request)
    now = utcnow()
    parameters: dict[str, Any] = {
        "principal": uow.actor,
        "key": key,
        "operation": operation,
        "request_hash": fingerprint,
        "response": dict(known_result or {}),
        "created_at": now,
    }
    if expires_after is not None:
        parameters["expired_before"] = now - expires_after
    statement = _claim_statement(uow.database.is_sqlite, expires_after is not None)
    claimed = await uow.session.execute(statement, parameters)
    record_id = claimed.scalar_one_or_none()
    if record_id is not None:
        return Claim(record_id, None)
    first = (
        await uow.session.execute(select(IdempotencyRecord).where(*_this_key(uow, key)))
    ).scalar_one()
    if first.request_hash != fingerprint:
        raise IdempotencyConflict(
            "this idempotency key was already used for a different request",
            field=["idempotencyKey"],
        )
    assert first.id is not None
    return Claim(first.id, dict(first.response))


async def remember(uow: UnitOfWork, *, key: str, response: Mapping[str, Any]) -> None:
    """Stores the result of the command that claimed ``key``; commits with the command."""
    await uow.session.execute(
        update(IdempotencyRecord)
        .where(*_this_key(uow, key.strip()))
        .values(response=dict(response))
    )


async def first_row(
    uow: UnitOfWork,
    model: type[RowT],
    key: str | None,
    operation: str,
    request: Mapping[str, Any],
) -> RowT | None:
    """For a command keyed by ``key``: the row its first use made or changed (as it is now),
    ending the transaction; None when this is the first use (the key is claimed, and the
    command calls ``remember_row`` before it commits) or there is no key."""
    if key is None:
        return None
    claimed = await claim(uow, key=key, operation=operation, request=request)
    if claimed.replay is None:
        return None
    row = await uow.session.get(model, claimed.replay["id"])
    assert row is not None, "rows a command made or changed are never deleted"
    await uow.commit()
    return row


async def remember_row(uow: UnitOfWork, key: str | None, row_id: int | None) -> None:
    """Keeps which row a keyed command made or changed, for its replays."""
    if key is not None:
        await remember(uow, key=key, response={"id": row_id})
