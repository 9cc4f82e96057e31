from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlmodel import col

from api.reads import Reader, load_by_key
from api.users.models import ApiKey, User


def users_query() -> Select[User]:
    return select(User)


def api_keys_query(*, include_revoked: bool = False) -> Select[ApiKey]:
    statement = select(ApiKey)
    if not include_revoked:
        statement = statement.where(col(ApiKey.revoked_at).is_(None))
    return statement


async def users_by_id(reader: Reader, ids: Sequence[int]) -> list[User | None]:
    return await load_by_key(reader, User, col(User.id), ids)


async def api_keys_by_id(reader: Reader, ids: Sequence[int]) -> list[ApiKey | None]:
    return await load_by_key(reader, ApiKey, col(ApiKey.id), ids)


async def users_by_email(reader: Reader, emails: Sequence[str]) -> list[User | None]:
    return await load_by_key(reader, User, col(User.email), [email.lower() for email in emails])
