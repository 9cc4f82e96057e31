"""Revoking staff tokens. A staff token is checked by its signature alone (no query per
request); what revocation adds is a cutoff per user, kept in each process: a token issued before
its user's cutoff is refused. The process that revokes applies the cutoff at once; the others
read the cutoffs every few seconds (``TokenCutoffs.run``), one small query whatever the load.
A user who is no longer active has every token refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import weakref
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlmodel import col

from api.db import Database, UnitOfWork
from api.dbtypes import utcnow
from api.errors import NotFound
from api.events.models import EventType
from api.reads import columns
from api.users.models import User

REFRESH_SECONDS = 2.0
log = logging.getLogger("oms.auth")


class TokenCutoffs:
    def __init__(self, database: Database) -> None:
        self._database = database
        self._cutoffs: dict[int, float] = {}

    def accepts(self, user_id: int, issued_at: float) -> bool:
        return issued_at >= self._cutoffs.get(user_id, -math.inf)

    def revoked(self, user_id: int, at: datetime) -> None:
        self._cutoffs[user_id] = max(self._cutoffs.get(user_id, -math.inf), at.timestamp())

    async def refresh(self) -> None:
        user = columns(User)
        statement = select(user.id, user.tokens_valid_after, user.active).where(
            or_(user.tokens_valid_after.is_not(None), user.active.is_(False))
        )
        async with self._database.reader() as reader:
            rows = (await reader.execute(statement)).all()
        self._cutoffs = {
            user_id: valid_after.timestamp() if active and valid_after else math.inf
            for user_id, valid_after, active in rows
        }

    async def run(self, stop: asyncio.Event) -> None:
        """Reads the cutoffs every ``REFRESH_SECONDS`` until ``stop``: revocations made by
        other processes take effect here within that time."""
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), REFRESH_SECONDS)
            try:
                await self.refresh()
            except Exception:  # the next round retries; meanwhile the known cutoffs hold
                log.exception("could not read token cutoffs")


_PER_DATABASE: weakref.WeakKeyDictionary[Database, TokenCutoffs] = weakref.WeakKeyDictionary()


def cutoffs_of(database: Database) -> TokenCutoffs:
    """This process's cutoffs for ``database``."""
    cutoffs = _PER_DATABASE.get(database)
    if cutoffs is None:
        cutoffs = _PER_DATABASE[database] = TokenCutoffs(database)
    return cutoffs


async def revoke_staff_tokens(uow: UnitOfWork, *, user_id: int) -> datetime:
    """Every token of the user issued until now stops working, in this process at once and in
    the others within ``REFRESH_SECONDS``; returns the cutoff."""
    now = utcnow()
    changed = await uow.session.execute(
        update(User).where(col(User.id) == user_id).values(tokens_valid_after=now)
    )
    if changed.rowcount == 0:  # type: ignore[attr-defined]
        raise NotFound("user", user_id, field=["userId"])
    uow.add_event(
        EventType.STAFF_TOKENS_REVOKED,
        aggregate_type="user",
        aggregate_id=user_id,
        payload={"userId": user_id, "validAfter": now.isoformat()},
    )
    await uow.commit()
    cutoffs_of(uow.database).revoked(user_id, now)
    return now
