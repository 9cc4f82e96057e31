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
from typing import Any

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col

from api import validation
from api.db import UnitOfWork
from api.dbtypes import utcnow
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
    fresh = {
        "operation": operation,
        "request_hash": fingerprint,
        "response": dict(known_result or {}),
        "created_at": now,
    }
    dialect_insert = sqlite_insert if uow.database.is_sqlite else postgresql_insert
    statement = dialect_insert(IdempotencyRecord).values(principal=uow.actor, key=key, **fresh)
    if expires_after is None:
        statement = statement.on_conflict_do_nothing(index_elements=["principal", "key"])
    else:
        statement = statement.on_conflict_do_update(
            index_elements=["principal", "key"],
            set_=fresh,
            where=col(IdempotencyRecord.created_at) < now - expires_after,
        )
    claimed = await uow.session.execute(statement.returning(columns(IdempotencyRecord).id))
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
