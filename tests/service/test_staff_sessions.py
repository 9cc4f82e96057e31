from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from api.auth import SYSTEM_ACTOR, Role, issue_access_token, principal_from_access_token
from api.db import Database
from api.errors import IllegalTransition, InvalidCredentials, NotFound
from api.ratelimits import LocalBuckets
from api.settings import Settings
from api.users.models import User
from api.users.service import LoginGuard, authenticate, create_user, login
from api.users.sessions import (
    Revocations,
    deactivate_user,
    reactivate_user,
    revocations_of,
    revoke_staff_tokens,
)
from api.users.throttle import LoginPolicy
from tests.conftest import TEST_SECRET


async def staff(database: Database, email: str = "ops@example.com") -> int:
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        user = await create_user(
            uow, email=email, password="a-long-password", role=Role.WAREHOUSE, name="Ops"
        )
    assert user.id is not None
    return user.id


def token(user_id: int, issued_at: datetime) -> str:
    return issue_access_token(
        user_id, Role.WAREHOUSE, secret_key=TEST_SECRET, lifetime=timedelta(hours=1),
        now=issued_at,
    )[0]  # fmt: skip


async def principal_kind(database: Database, credential: str) -> str:
    return (await authenticate(database, credential, secret_key=TEST_SECRET)).kind.value


async def test_revoking_refuses_older_tokens_and_not_newer_ones(database: Database) -> None:
    user_id = await staff(database)
    before = token(user_id, datetime.now(UTC) - timedelta(minutes=5))
    async with database.unit_of_work("staff:1") as uow:
        cutoff = await revoke_staff_tokens(uow, user_id=user_id)
    after = token(user_id, cutoff + timedelta(milliseconds=1))
    assert await principal_kind(database, before) == "anonymous"
    assert await principal_kind(database, after) == "staff"


async def test_other_processes_learn_the_cutoffs_when_they_read_them(database: Database) -> None:
    user_id = await staff(database)
    other_id = await staff(database, "other@example.com")
    async with database.unit_of_work("staff:1") as uow:
        cutoff = await revoke_staff_tokens(uow, user_id=user_id)
    async with database.unit_of_work("test") as uow:
        await uow.session.execute(update(User).where(User.id == other_id).values(active=False))
        await uow.commit()
    elsewhere = Revocations(database)  # another process's, before its first read
    assert elsewhere.accepts(user_id, cutoff.timestamp() - 1)
    await elsewhere.refresh()
    assert not elsewhere.accepts(user_id, cutoff.timestamp() - 1)
    assert elsewhere.accepts(user_id, cutoff.timestamp())
    assert not elsewhere.accepts(other_id, datetime.now(UTC).timestamp()), "deactivated"


async def test_revoking_an_unknown_user_is_not_found(database: Database) -> None:
    with pytest.raises(NotFound):
        async with database.unit_of_work("staff:1") as uow:
            await revoke_staff_tokens(uow, user_id=999)
    assert revocations_of(database).accepts(999, 0.0)


async def login_as(database: Database, email: str) -> None:
    async with database.unit_of_work("anonymous") as uow:
        await login(
            uow,
            email=email,
            password="a-long-password",
            secret_key=TEST_SECRET,
            lifetime=timedelta(hours=1),
            guard=LoginGuard(LocalBuckets(), LoginPolicy.of(Settings()), "198.51.100.1"),
        )


async def test_a_deactivated_user_can_neither_log_in_nor_use_a_token(database: Database) -> None:
    user_id = await staff(database)
    admin_id = await staff(database, "admin@example.com")
    held = token(user_id, datetime.now(UTC))
    async with database.unit_of_work("staff:2") as uow:
        await deactivate_user(uow, user_id=user_id, by_user_id=admin_id)
    assert await principal_kind(database, held) == "anonymous"
    principal = principal_from_access_token(held, secret_key=TEST_SECRET)
    assert principal is not None and not revocations_of(database).still_valid(principal)
    with pytest.raises(InvalidCredentials):
        await login_as(database, "ops@example.com")
    with pytest.raises(IllegalTransition):
        async with database.unit_of_work("staff:2") as uow:
            await deactivate_user(uow, user_id=user_id, by_user_id=admin_id)
    async with database.unit_of_work("staff:2") as uow:
        await reactivate_user(uow, user_id=user_id)
    await login_as(database, "ops@example.com")
    assert await principal_kind(database, held) == "anonymous", "old tokens stay refused"
    fresh = token(user_id, datetime.now(UTC) + timedelta(milliseconds=5))
    assert await principal_kind(database, fresh) == "staff"


async def test_staff_cannot_deactivate_themselves_or_nobody(database: Database) -> None:
    user_id = await staff(database)
    with pytest.raises(IllegalTransition):
        async with database.unit_of_work("staff:1") as uow:
            await deactivate_user(uow, user_id=user_id, by_user_id=user_id)
    with pytest.raises(NotFound):
        async with database.unit_of_work("staff:1") as uow:
            await deactivate_user(uow, user_id=999, by_user_id=user_id)
