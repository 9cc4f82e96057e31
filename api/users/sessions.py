"""Revoking staff tokens and API keys, as every process sees it.

A staff token is checked by its signature alone (no query per request); what revocation adds
is a cutoff per user, kept in each process: a token issued before its user's cutoff is
refused, and a user who is no longer active has every token refused. An API key is looked up
at each HTTP request, but an open WebSocket authenticated once: for it, each process also
keeps the ids of revoked keys. The process that revokes applies a revocation at once; the
others read them every few seconds (``Revocations.run``), one small query whatever the load.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
import weakref
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlmodel import col

from api.auth import Principal, PrincipalKind
from api.db import Database, UnitOfWork
from api.dbtypes import utcnow
from api.errors import IllegalTransition, NotFound
from api.reads import columns
from api.users.events import StaffTokensRevoked, UserDeactivated, UserReactivated
from api.users.models import ApiKey, User

REFRESH_SECONDS = 2.0
log = logging.getLogger("oms.auth")


class Revocations:
    def __init__(self, database: Database) -> None:
        self._database = database
        self._cutoffs: dict[int, float] = {}
        self._revoked_keys: set[int] = set()

    def accepts(self, user_id: int, issued_at: float) -> bool:
        return issued_at >= self._cutoffs.get(user_id, -math.inf)

    def still_valid(self, principal: Principal, now: float | None = None) -> bool:
        """Whether a principal authenticated earlier (an open WebSocket's) may still act:
        its token unexpired and not revoked, its user active, its key not revoked."""
        if principal.kind is PrincipalKind.STAFF and principal.id is not None:
            expired = (time.time() if now is None else now) >= (principal.expires_at or math.inf)
            return not expired and self.accepts(principal.id, principal.issued_at or -math.inf)
        if principal.kind is PrincipalKind.API_KEY:
            return principal.id not in self._revoked_keys
        return True

    def revoked(self, user_id: int, at: datetime) -> None:
        self._cutoffs[user_id] = max(self._cutoffs.get(user_id, -math.inf), at.timestamp())

    def deactivated(self, user_id: int) -> None:
        self._cutoffs[user_id] = math.inf

    def reactivated(self, user_id: int, valid_after: datetime) -> None:
        self._cutoffs[user_id] = valid_after.timestamp()

    def key_revoked(self, api_key_id: int) -> None:
        self._revoked_keys.add(api_key_id)

    async def refresh(self) -> None:
        user = columns(User)
        statement = select(user.id, user.tokens_valid_after, user.active).where(
            or_(user.tokens_valid_after.is_not(None), user.active.is_(False))
        )
        revoked_keys = select(col(ApiKey.id)).where(col(ApiKey.revoked_at).is_not(None))
        async with self._database.reader() as reader:
            rows = (await reader.execute(statement)).all()
            keys = (await reader.execute(revoked_keys)).scalars().all()
        self._cutoffs = {
            user_id: valid_after.timestamp() if active and valid_after else math.inf
            for user_id, valid_after, active in rows
        }
        self._revoked_keys = {key for key in keys if key is not None}

    async def run(self, stop: asyncio.Event) -> None:
        """Reads the revocations every ``REFRESH_SECONDS`` until ``stop``: those made by other
        processes take effect here within that time."""
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), REFRESH_SECONDS)
            try:
                await self.refresh()
            except Exception:  # the next round retries; meanwhile the known ones hold
                log.exception("could not read revocations")


_PER_DATABASE: weakref.WeakKeyDictionary[Database, Revocations] = weakref.WeakKeyDictionary()


def revocations_of(database: Database) -> Revocations:
    """This process's revocations for ``database``."""
    revocations = _PER_DATABASE.get(database)
    if revocations is None:
        revocations = _PER_DATABASE[database] = Revocations(database)
    return revocations


async def revoke_staff_tokens(uow: UnitOfWork, *, user_id: int) -> datetime:
    """Every token of the user issued until now stops working, in this process at once and in
    the others within ``REFRESH_SECONDS``; returns the cutoff."""
    now = utcnow()
    changed = await uow.session.execute(
        update(User).where(col(User.id) == user_id).values(tokens_valid_after=now)
    )
    if changed.rowcount == 0:  # type: ignore[attr-defined]
        raise NotFound("user", user_id, field=["userId"])
    uow.record(StaffTokensRevoked(user_id=user_id, valid_after=now))
    await uow.commit()
    revocations_of(uow.database).revoked(user_id, now)
    return now


async def deactivate_user(uow: UnitOfWork, *, user_id: int, by_user_id: int | None) -> User:
    """A leaver: they cannot log in, and every token they hold stops working (here at once,
    in the other processes within ``REFRESH_SECONDS``), open WebSockets included."""
    user = await uow.session.get(User, user_id)
    if user is None:
        raise NotFound("user", user_id, field=["userId"])
    if user_id == by_user_id:
        raise IllegalTransition("you cannot deactivate yourself", field=["userId"])
    if not user.active:
        raise IllegalTransition(f"{user.email} is already deactivated", field=["userId"])
    user.active = False
    uow.record(UserDeactivated(user_id=user_id, email=user.email))
    await uow.commit()
    revocations_of(uow.database).deactivated(user_id)
    return user


async def reactivate_user(uow: UnitOfWork, *, user_id: int) -> User:
    """A member of staff back: they may log in again; tokens issued before they were
    deactivated stay refused."""
    user = await uow.session.get(User, user_id)
    if user is None:
        raise NotFound("user", user_id, field=["userId"])
    if user.active:
        raise IllegalTransition(f"{user.email} is active", field=["userId"])
    user.active = True
    valid_after = user.tokens_valid_after = utcnow()
    uow.record(UserReactivated(user_id=user_id, email=user.email))
    await uow.commit()
    revocations_of(uow.database).reactivated(user_id, valid_after)
    return user
