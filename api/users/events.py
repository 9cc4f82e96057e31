"""What happens to staff accounts and API keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from api.events.declared import DomainEvent, about
from api.events.models import EventType


@dataclass(frozen=True, kw_only=True)
class UserEvent(DomainEvent):
    aggregate_type = "user"
    user_id: int = about()


@dataclass(frozen=True, kw_only=True)
class UserCreated(UserEvent):
    type = EventType.USER_CREATED
    email: str
    role: str


@dataclass(frozen=True, kw_only=True)
class StaffTokensRevoked(DomainEvent):
    type = EventType.STAFF_TOKENS_REVOKED
    aggregate_type = "user"
    user_id: int = about(in_payload=True)
    valid_after: datetime


@dataclass(frozen=True, kw_only=True)
class UserDeactivated(UserEvent):
    type = EventType.USER_DEACTIVATED
    email: str


@dataclass(frozen=True, kw_only=True)
class UserReactivated(UserEvent):
    type = EventType.USER_REACTIVATED
    email: str


@dataclass(frozen=True, kw_only=True)
class ApiKeyEvent(DomainEvent):
    aggregate_type = "api_key"
    api_key_id: int = about()
    name: str


@dataclass(frozen=True, kw_only=True)
class ApiKeyCreated(ApiKeyEvent):
    type = EventType.API_KEY_CREATED
    scopes: list[str]


@dataclass(frozen=True, kw_only=True)
class ApiKeyRevoked(ApiKeyEvent):
    type = EventType.API_KEY_REVOKED
