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
