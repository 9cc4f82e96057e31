from __future__ import annotations

from datetime import datetime

import strawberry

from api.auth import Permission as DomainPermission
from api.auth import PrincipalKind as DomainPrincipalKind
from api.auth import Role as DomainRole
from api.users.models import ApiKey, User
from schema.relay import Node, encode_global_id

Role = DomainRole
PrincipalKind = DomainPrincipalKind
Permission = DomainPermission
strawberry.enum(Role, name="Role")
strawberry.enum(PrincipalKind, name="PrincipalKind")
strawberry.enum(
    Permission, name="Permission", description="A permission; API keys hold them as scopes."
)


@strawberry.type(name="User", description="A member of staff.")
class UserType(Node):
    pk: strawberry.Private[int]
    email: str
    name: str
    role: Role
    active: bool
    created_at: datetime
    last_login_at: datetime | None

    @classmethod
    def from_row(cls, row: User) -> UserType:
        assert row.id is not None
        return cls(
            id=encode_global_id("User", row.id),
            pk=row.id,
            email=row.email,
            name=row.name,
            role=DomainRole(row.role),
            active=row.active,
            created_at=row.created_at,
            last_login_at=row.last_login_at,
        )


@strawberry.type(name="ApiKey", description="A partner credential; its secret is shown only once.")
class ApiKeyType(Node):
    pk: strawberry.Private[int]
    name: str
    prefix: str
    scopes: list[Permission]
    created_at: datetime
    revoked_at: datetime | None

    @classmethod
    def from_row(cls, row: ApiKey) -> ApiKeyType:
        assert row.id is not None
        return cls(
            id=encode_global_id("ApiKey", row.id),
            pk=row.id,
            name=row.name,
            prefix=row.prefix,
            scopes=[DomainPermission(scope) for scope in row.scopes],
            created_at=row.created_at,
            revoked_at=row.revoked_at,
        )


@strawberry.type(description="Who is calling, and what they may do.")
class Viewer:
    kind: PrincipalKind
    permissions: list[Permission]
    user: UserType | None
    api_key: ApiKeyType | None
