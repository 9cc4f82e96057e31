"""Field factories that attach the permission check (and, for mutations, userError mapping)."""

from __future__ import annotations

from typing import Any

import strawberry

from api.auth import Permission
from schema.errors import DomainErrorsAsUserErrors
from schema.permissions import allow


def query(permission: Permission | None, **options: Any) -> Any:
    """A root query field open to holders of ``permission`` (None: open to anyone, on purpose)."""
    return strawberry.field(extensions=[allow(permission)], **options)


def mutation(permission: Permission | None, *also: Permission, **options: Any) -> Any:
    """A mutation open to holders of ``permission`` and of each of ``also`` (a command that
    moves money as well as goods needs the permissions of both)."""
    return strawberry.mutation(
        extensions=[DomainErrorsAsUserErrors(), allow(permission, *also)], **options
    )


def _idempotency_description(does: str) -> str:
    return (
        f"Replaying a key with the same input answers the first result and {does} nothing "
        "more; other input under it is IDEMPOTENCY_CONFLICT."
    )


def idempotency_key(does: str) -> Any:
    """An input's optional idempotency key."""
    return strawberry.field(default=None, description=_idempotency_description(does))


def idempotency_key_argument(does: str) -> Any:
    """A mutation's optional idempotency key argument, as ``Annotated`` metadata."""
    return strawberry.argument(description=_idempotency_description(does))
