from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from api import validation
from api.auth import (
    API_KEY_SCOPES,
    DUMMY_PASSWORD_HASH,
    Permission,
    Principal,
    Role,
    api_key_matches,
    api_key_prefix,
    generate_api_key,
    hash_password,
    issue_access_token,
    principal_from_access_token,
    verify_password,
)
from api.db import Database, UnitOfWork
from api.dbtypes import utcnow
from api.errors import AlreadyExists, IllegalTransition, InvalidCredentials, InvalidInput, NotFound
from api.ratelimits import RateLimits
from api.users.events import ApiKeyCreated, ApiKeyRevoked, UserCreated
from api.users.models import ApiKey, User
from api.users.sessions import revocations_of
from api.users.throttle import LoginPolicy, attempt_login

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256


async def create_user(
    uow: UnitOfWork, *, email: str, password: str, role: Role, name: str | None = None
) -> User:
    email = validation.email(email)
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            f"password must be {MIN_PASSWORD_LENGTH} to 256 characters", field=["password"]
        )
    if (await uow.session.execute(select(col(User.id)).where(col(User.email) == email))).first():
        raise AlreadyExists("user", email, field=["email"])
    user = User(
        email=email,
        name=validation.text(name or email.split("@")[0], "name"),
        password_hash=await asyncio.to_thread(hash_password, password),
        role=role.value,
    )
    uow.session.add(user)
    await uow.session.flush()
    assert user.id is not None
    uow.record(UserCreated(user_id=user.id, email=email, role=role.value))
    await uow.commit()
    return user


@dataclass(frozen=True)
class LoginResult:
    user: User
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class LoginGuard:
    """What limits guessing: the buckets, the policy, and who is asking."""

    limits: RateLimits
    policy: LoginPolicy
    client_host: str | None


async def login(
    uow: UnitOfWork,
    *,
    email: str,
    password: str,
    secret_key: str,
    lifetime: timedelta,
    guard: LoginGuard,
) -> LoginResult:
    """A signed access token for valid credentials. Unknown email and wrong password look
    alike; failures are throttled per account and per address (``api.users.throttle``)."""
    attempt = await attempt_login(
        guard.limits, guard.policy, email=email, client_host=guard.client_host
    )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidCredentials("email or password is wrong", field=["password"])
    user = (
        (await uow.session.execute(select(User).where(col(User.email) == email.strip().lower())))
        .scalars()
        .first()
    )
    # Argon2 takes tens of milliseconds of CPU by design: off the event loop, which serves
    # every other request of the worker meanwhile.
    password_ok = await asyncio.to_thread(
        verify_password, user.password_hash if user else DUMMY_PASSWORD_HASH, password
    )
    if user is None or not password_ok or not user.active:
        raise InvalidCredentials("email or password is wrong", field=["password"])
    await attempt.succeeded()
    assert user.id is not None
    user.last_login_at = utcnow()
    token, expires_at = issue_access_token(
        user.id, Role(user.role), secret_key=secret_key, lifetime=lifetime
    )
    await uow.commit()
    return LoginResult(user, token, expires_at)


@dataclass(frozen=True)
class CreatedApiKey:
    api_key: ApiKey
    secret: str


def parse_scopes(scopes: Iterable[str]) -> list[Permission]:
    parsed: list[Permission] = []
    for scope in scopes:
        try:
            permission = Permission(scope.strip())
        except ValueError:
            raise InvalidInput(f"unknown scope {scope!r}", field=["scopes"]) from None
        if permission not in API_KEY_SCOPES:
            raise InvalidInput(f"scope {scope} cannot be given to an API key", field=["scopes"])
        if permission not in parsed:
            parsed.append(permission)
    if not parsed:
        raise InvalidInput("an API key needs at least one scope", field=["scopes"])
    return parsed


async def create_api_key(
    uow: UnitOfWork,
    *,
    name: str,
    scopes: Iterable[str],
    created_by_user_id: int | None = None,
    points_per_second: int | None = None,
) -> CreatedApiKey:
    name = validation.text(name, "name")
    permissions = parse_scopes(scopes)
    if points_per_second is not None and not 1 <= points_per_second <= 1_000_000:
        raise InvalidInput(
            "pointsPerSecond must be between 1 and 1,000,000", field=["pointsPerSecond"]
        )
    generated = generate_api_key()
    api_key = ApiKey(
        name=name,
        prefix=generated.prefix,
        key_hash=generated.key_hash,
        scopes=[permission.value for permission in permissions],
        created_by_user_id=created_by_user_id,
        points_per_second=points_per_second,
    )
    uow.session.add(api_key)
    await uow.session.flush()
    assert api_key.id is not None
    uow.record(ApiKeyCreated(api_key_id=api_key.id, name=name, scopes=api_key.scopes))
    await uow.commit()
    return CreatedApiKey(api_key, generated.secret)


async def revoke_api_key(uow: UnitOfWork, *, api_key_id: int) -> ApiKey:
    api_key = await uow.session.get(ApiKey, api_key_id)
    if api_key is None:
        raise NotFound("API key", api_key_id, field=["id"])
    if api_key.revoked_at is not None:
        raise IllegalTransition("this API key is already revoked", field=["id"])
    api_key.revoked_at = utcnow()
    uow.record(ApiKeyRevoked(api_key_id=api_key_id, name=api_key.name))
    await uow.commit()
    revocations_of(uow.database).key_revoked(api_key_id)
    return api_key


async def principal_for_api_key(session: AsyncSession, secret: str) -> Principal | None:
    """The principal of a live API key, or None for an unknown, wrong or revoked one."""
    prefix = api_key_prefix(secret)
    if prefix is None:
        return None
    api_key = (
        (await session.execute(select(ApiKey).where(col(ApiKey.prefix) == prefix)))
        .scalars()
        .first()
    )
    if api_key is None or api_key.revoked_at is not None:
        return None
    if not api_key_matches(secret, api_key.key_hash):
        return None
    assert api_key.id is not None
    scopes = frozenset(Permission(s) for s in api_key.scopes)
    return Principal.api_key(api_key.id, scopes, api_key.points_per_second)


async def authenticate(database: Database, credential: str | None, *, secret_key: str) -> Principal:
    """The principal behind a bearer credential: a staff access token (checked by signature
    alone, and against its user's revocation cutoff) or a partner API key (looked up)."""
    if not credential:
        return Principal.anonymous()
    if api_key_prefix(credential) is None:
        staff = principal_from_access_token(
            credential, secret_key=secret_key, accepts=revocations_of(database).accepts
        )
        return staff or Principal.anonymous()
    async with database.session() as session:
        partner = await principal_for_api_key(session, credential)
    return partner or Principal.anonymous()
