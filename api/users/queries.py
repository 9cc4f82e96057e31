from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlmodel import col

from api.auth import ROLE_PERMISSIONS, SYSTEM_ACTOR, Permission, PrincipalKind, Role
from api.reads import Reader, load_by_key
from api.users.models import ApiKey, User
from api.validation import whole_number


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


def _kind_and_id(actor: str) -> tuple[str, int | None]:
    kind, _, number = actor.partition(":")
    return kind, whole_number(number)


async def permissions_of(reader: Reader, actors: Sequence[str]) -> dict[str, frozenset[Permission]]:
    """What each actor (``staff:<id>``, ``api_key:<id>``, ``system``) may do now: nothing for a
    revoked key, a deactivated or unknown user, or an actor of any other kind."""
    parsed = {actor: _kind_and_id(actor) for actor in actors}
    staff_ids = [pk for kind, pk in parsed.values() if kind == PrincipalKind.STAFF and pk]
    key_ids = [pk for kind, pk in parsed.values() if kind == PrincipalKind.API_KEY and pk]
    users = {user.id: user for user in await users_by_id(reader, staff_ids) if user}
    keys = {key.id: key for key in await api_keys_by_id(reader, key_ids) if key}
    granted: dict[str, frozenset[Permission]] = {}
    for actor, (kind, pk) in parsed.items():
        user, key = users.get(pk), keys.get(pk)
        if actor == SYSTEM_ACTOR:
            granted[actor] = frozenset(Permission)
        elif kind == PrincipalKind.STAFF and user is not None and user.active:
            granted[actor] = ROLE_PERMISSIONS[Role(user.role)]
        elif kind == PrincipalKind.API_KEY and key is not None and key.revoked_at is None:
            granted[actor] = frozenset(Permission(scope) for scope in key.scopes)
        else:
            granted[actor] = frozenset()
    return granted
