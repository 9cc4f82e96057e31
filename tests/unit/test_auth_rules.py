from __future__ import annotations

from datetime import UTC, datetime, timedelta

from api.auth import (
    API_KEY_SCOPES,
    ROLE_PERMISSIONS,
    Permission,
    Principal,
    PrincipalKind,
    Role,
    api_key_matches,
    api_key_prefix,
    generate_api_key,
    hash_password,
    issue_access_token,
    principal_from_access_token,
    verify_password,
)

SECRET = "unit-test-secret-key-0123456789-abcdef"


def test_admin_holds_every_permission_and_warehouse_cannot_refund() -> None:
    assert ROLE_PERMISSIONS[Role.ADMIN] == frozenset(Permission)
    assert Permission.FULFILLMENT_WRITE in ROLE_PERMISSIONS[Role.WAREHOUSE]
    assert Permission.REFUNDS_WRITE not in ROLE_PERMISSIONS[Role.WAREHOUSE]
    assert Permission.USERS_MANAGE not in ROLE_PERMISSIONS[Role.MANAGER]


def test_api_keys_never_manage_staff_or_keys() -> None:
    assert Permission.USERS_MANAGE not in API_KEY_SCOPES
    assert Permission.API_KEYS_MANAGE not in API_KEY_SCOPES


def test_anonymous_principal_can_do_nothing() -> None:
    anonymous = Principal.anonymous()
    assert not anonymous.is_authenticated
    assert not any(anonymous.can(permission) for permission in Permission)
    assert anonymous.actor == "anonymous"
    assert Principal.staff(3, Role.SUPPORT).actor == "staff:3"


def test_access_token_round_trip_and_expiry() -> None:
    token, expires_at = issue_access_token(
        7, Role.WAREHOUSE, secret_key=SECRET, lifetime=timedelta(minutes=5)
    )
    principal = principal_from_access_token(token, secret_key=SECRET)
    assert principal is not None
    assert (principal.kind, principal.id, principal.role) == (
        PrincipalKind.STAFF,
        7,
        Role.WAREHOUSE,
    )
    assert principal.expires_at == int(expires_at.timestamp()) > datetime.now(UTC).timestamp()
    old, _ = issue_access_token(
        7,
        Role.WAREHOUSE,
        secret_key=SECRET,
        lifetime=timedelta(minutes=5),
        now=datetime.now(UTC) - timedelta(minutes=10),
    )
    assert principal_from_access_token(old, secret_key=SECRET) is None
    assert principal_from_access_token(token, secret_key=SECRET + "x") is None
    assert principal_from_access_token("garbage", secret_key=SECRET) is None


def test_api_key_has_a_findable_prefix_and_verifies_only_itself() -> None:
    generated = generate_api_key()
    assert api_key_prefix(generated.secret) == generated.prefix
    assert api_key_matches(generated.secret, generated.key_hash)
    assert not api_key_matches(generated.secret + "x", generated.key_hash)
    assert generated.secret not in generated.key_hash
    assert api_key_prefix("Bearer-ish-token") is None
    assert api_key_prefix("oms__secret") is None


def test_passwords_are_hashed_with_argon2() -> None:
    hashed = hash_password("correct horse battery")
    assert hashed.startswith("$argon2")
    assert verify_password(hashed, "correct horse battery")
    assert not verify_password(hashed, "wrong")
    assert not verify_password("not a hash", "wrong")
