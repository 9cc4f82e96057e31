"""The per-request context every resolver sees."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

import strawberry

from api.auth import Permission, Principal
from api.db import Database, UnitOfWork
from api.settings import Settings

if TYPE_CHECKING:
    from schema.loaders import Loaders


@dataclass
class Context:
    settings: Settings
    database: Database
    principal: Principal
    request_id: str
    loaders: Loaders
    request: Any = None
    response: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    def unit_of_work(self) -> UnitOfWork:
        return self.database.unit_of_work(self.principal.actor)

    def can(self, permission: Permission) -> bool:
        return self.principal.can(permission)


Info: TypeAlias = strawberry.Info[Context, None]
