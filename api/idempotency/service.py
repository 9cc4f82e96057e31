"""Idempotency keys: the first result of a command is kept, and a replay gets it back.

A key is claimed by inserting its record inside the command's own transaction. A concurrent
request with the same key waits on the unique index until the first commits (then it replays
the stored result) or rolls back (then it runs itself), so two requests never both execute.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
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


def _this_key(uow: UnitOfWork, key: str) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    return col(IdempotencyRecord.principal) == uow.actor, col(IdempotencyRecord.key) == key


def request_fingerprint(operation: str, request: Mapping[str, Any]) -> str:
    canonical = json.dumps(
        {"operation": operation, "request": request}, sort_keys=True, default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


async def claim(
    uow: UnitOfWork,
    *,
    key: str,
    operation: str,
    request: Mapping[str, Any],
    expires_after: timedelta | None = None,
) -> dict[str, Any] | None:
    """Claims ``key`` for this command, or returns the stored result of its first use.

    A key older than ``expires_after`` is claimed afresh. Raises IDEMPOTENCY_CONFLICT when
    the key is live and was used for a different request.
    """
    key = validation.text(key, "idempotencyKey", max_length=255)
    fingerprint = request_fingerprint(operation, request)
    now = utcnow()
    dialect_insert = sqlite_insert if uow.database.is_sqlite else postgresql_insert
    statement = dialect_insert(IdempotencyRecord).values(
        principal=uow.actor,
        key=key,
        operation=operation,
        request_hash=fingerprint,
        response={},
        created_at=now,
    )
    if expires_after is None:
        statement = statement.on_conflict_do_nothing(index_elements=["principal", "key"])
    else:
        statement = statement.on_conflict_do_update(
            index_elements=["principal", "key"],
            set_={
                "operation": operation,
                "request_hash": fingerprint,
                "response": {},
                "created_at": now,
            },
            where=col(IdempotencyRecord.created_at) < now - expires_after,
        )
    claimed = await uow.session.execute(statement.returning(col(IdempotencyRecord.id)))
    if claimed.first() is not None:
        return None
    first = (
        await uow.session.execute(select(IdempotencyRecord).where(*_this_key(uow, key)))
    ).scalar_one()
    if first.request_hash != fingerprint:
        raise IdempotencyConflict(
            "this idempotency key was already used for a different request",
            field=["idempotencyKey"],
        )
    return dict(first.response)


async def remember(uow: UnitOfWork, *, key: str, response: Mapping[str, Any]) -> None:
    """Stores the result of the command that claimed ``key``; commits with the command."""
    await uow.session.execute(
        update(IdempotencyRecord)
        .where(*_this_key(uow, key.strip()))
        .values(response=dict(response))
    )
