from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from api.auth import SYSTEM_ACTOR, Role, issue_access_token
from api.db import Database
from api.errors import NotFound
from api.users.models import User
from api.users.service import authenticate, create_user
from api.users.sessions import Revocations, revocations_of, revoke_staff_tokens
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
