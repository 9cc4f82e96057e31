"""What happens to webhook subscriptions."""

from __future__ import annotations

from dataclasses import dataclass

from api.events.declared import DomainEvent, about
from api.events.models import EventType


@dataclass(frozen=True, kw_only=True)
class WebhookCreated(DomainEvent):
    type = EventType.WEBHOOK_CREATED
    aggregate_type = "webhook"
    webhook_id: int = about()
    url: str
    events: list[str]


@dataclass(frozen=True, kw_only=True)
class WebhookDeleted(DomainEvent):
    type = EventType.WEBHOOK_DELETED
    aggregate_type = "webhook"
    webhook_id: int = about()
