"""Permission checks for fields and mutations: who may see or do what."""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission, PermissionExtension

from api.auth import Permission
from schema.context import Info
from schema.errors import Forbidden, Unauthenticated


def require(info: Info, permission: Permission) -> None:
    principal = info.context.principal
    if not principal.is_authenticated:
        raise Unauthenticated("authentication required: send Authorization: Bearer <token>")
    if not principal.can(permission):
        raise Forbidden(f"this needs the {permission.value} permission")


class HasPermission(BasePermission):
    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        require(info, self.permission)
        return True


class IsAnyone(BasePermission):
    """Explicitly open: the field checks credentials itself (login) or shows only the caller."""

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return True


def allow(*permissions: Permission | None) -> PermissionExtension:
    """Holders of every one of ``permissions`` (None alone: anyone, on purpose)."""
    needed = [permission for permission in permissions if permission is not None]
    checks: list[BasePermission] = [HasPermission(p) for p in needed] if needed else [IsAnyone()]
    return PermissionExtension(permissions=checks, use_directives=False)
