"""Who is calling and what they may do: roles, scopes, passwords, access tokens, API keys."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

TOKEN_ALGORITHM = "HS256"
TOKEN_AUDIENCE = "oms-staff"
API_KEY_PREFIX = "oms"


class Role(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    WAREHOUSE = "warehouse"
    SUPPORT = "support"


class Permission(StrEnum):
    """Staff roles grant sets of these; an API key carries them as its scopes."""

    ORDERS_READ = "orders:read"
    ORDERS_WRITE = "orders:write"
    INVENTORY_READ = "inventory:read"
    INVENTORY_WRITE = "inventory:write"
    FULFILLMENT_WRITE = "fulfillment:write"
    RETURNS_WRITE = "returns:write"
    REFUNDS_WRITE = "refunds:write"
    CATALOG_READ = "catalog:read"
    CATALOG_WRITE = "catalog:write"
    CUSTOMERS_READ = "customers:read"
    SETTINGS_WRITE = "settings:write"
    EVENTS_READ = "events:read"
    REPORTS_READ = "reports:read"
    WEBHOOKS_MANAGE = "webhooks:manage"
    USERS_MANAGE = "users:manage"
    API_KEYS_MANAGE = "api_keys:manage"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.MANAGER: frozenset(Permission)
    - {Permission.USERS_MANAGE, Permission.API_KEYS_MANAGE, Permission.WEBHOOKS_MANAGE},
    Role.WAREHOUSE: frozenset(
        {
            Permission.ORDERS_READ,
            Permission.INVENTORY_READ,
            Permission.INVENTORY_WRITE,
            Permission.FULFILLMENT_WRITE,
            Permission.CATALOG_READ,
            Permission.RETURNS_WRITE,
        }
    ),
    Role.SUPPORT: frozenset(
        {
            Permission.ORDERS_READ,
            Permission.ORDERS_WRITE,
            Permission.RETURNS_WRITE,
            Permission.REFUNDS_WRITE,
            Permission.CUSTOMERS_READ,
            Permission.CATALOG_READ,
            Permission.INVENTORY_READ,
            Permission.EVENTS_READ,
        }
    ),
}

# Scopes a partner key may hold: everything but managing staff and keys.
API_KEY_SCOPES: frozenset[Permission] = frozenset(Permission) - {
    Permission.USERS_MANAGE,
    Permission.API_KEYS_MANAGE,
}


class PrincipalKind(StrEnum):
    ANONYMOUS = "anonymous"
    STAFF = "staff"
    API_KEY = "api_key"


@dataclass(frozen=True)
class Principal:
    kind: PrincipalKind
    id: int | None = None
    role: Role | None = None
    permissions: frozenset[Permission] = field(default_factory=frozenset)
    points_per_second: int | None = None
    """An API key's own query budget rate, when it has one."""
    issued_at: float | None = None
    expires_at: float | None = None
    """A staff token's times (Unix seconds): what an open WebSocket is checked against."""

    @classmethod
    def anonymous(cls) -> Principal:
        return cls(PrincipalKind.ANONYMOUS)

    @classmethod
    def staff(
        cls,
        user_id: int,
        role: Role,
        *,
        issued_at: float | None = None,
        expires_at: float | None = None,
    ) -> Principal:
        return cls(
            PrincipalKind.STAFF,
            user_id,
            role,
            ROLE_PERMISSIONS[role],
            issued_at=issued_at,
            expires_at=expires_at,
        )

    @classmethod
    def api_key(
        cls, key_id: int, scopes: frozenset[Permission], points_per_second: int | None = None
    ) -> Principal:
        return cls(PrincipalKind.API_KEY, key_id, None, scopes, points_per_second)

    @property
    def is_authenticated(self) -> bool:
        return self.kind is not PrincipalKind.ANONYMOUS

    @property
    def actor(self) -> str:
        """How ledgers and events name who did something."""
        return self.kind.value if self.id is None else f"{self.kind.value}:{self.id}"

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions


SYSTEM_ACTOR = "system"

_password_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _password_hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _password_hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# Verifying against this when the email is unknown keeps login time the same for both failures.
DUMMY_PASSWORD_HASH = hash_password(secrets.token_urlsafe(16))


def issue_access_token(
    user_id: int, role: Role, *, secret_key: str, lifetime: timedelta, now: datetime | None = None
) -> tuple[str, datetime]:
    issued_at = now or datetime.now(UTC)
    expires_at = issued_at + lifetime
    claims = {
        "sub": str(user_id),
        "role": role.value,
        "aud": TOKEN_AUDIENCE,
        # Not rounded to the second: a token issued just after a revocation must stay valid.
        "iat": issued_at.timestamp(),
        "exp": expires_at,
    }
    return jwt.encode(claims, secret_key, algorithm=TOKEN_ALGORITHM), expires_at


def bearer_credential(authorization: str) -> str | None:
    """The credential of an ``Authorization: Bearer <credential>`` header, else None."""
    scheme, _, credential = authorization.partition(" ")
    return credential.strip() if scheme.lower() == "bearer" else None


def principal_from_access_token(
    token: str, *, secret_key: str, accepts: Callable[[int, float], bool] = lambda *_: True
) -> Principal | None:
    """A valid, unexpired staff token's principal, or None; ``accepts(user id, issued at)``
    may refuse it (a revoked token)."""
    try:
        claims = jwt.decode(
            token, secret_key, algorithms=[TOKEN_ALGORITHM], audience=TOKEN_AUDIENCE
        )
        user_id = int(claims["sub"])
        issued_at = float(claims["iat"])
        if not accepts(user_id, issued_at):
            return None
        return Principal.staff(
            user_id, Role(claims["role"]), issued_at=issued_at, expires_at=float(claims["exp"])
        )
    except (jwt.InvalidTokenError, KeyError, ValueError, TypeError):
        return None


@dataclass(frozen=True)
class GeneratedApiKey:
    prefix: str
    secret: str
    key_hash: str


def generate_api_key() -> GeneratedApiKey:
    """A key ``oms_<prefix>_<secret>``: the prefix finds the row, the hash proves the secret."""
    prefix = secrets.token_hex(6)
    secret = f"{API_KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    return GeneratedApiKey(prefix, secret, hash_api_key(secret))


def hash_api_key(secret: str) -> str:
    # The secret is 256 random bits: a fast hash is enough, no stretching needed.
    return hashlib.sha256(secret.encode()).hexdigest()


def api_key_prefix(secret: str) -> str | None:
    parts = secret.split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX or not parts[1]:
        return None
    return parts[1]


def api_key_matches(secret: str, key_hash: str) -> bool:
    return hmac.compare_digest(hash_api_key(secret), key_hash)
