"""What happens to customers."""

from __future__ import annotations

from dataclasses import dataclass

from api.events.declared import DomainEvent, about
from api.events.models import EventType


@dataclass(frozen=True, kw_only=True)
class CustomerCreated(DomainEvent):
    type = EventType.CUSTOMER_CREATED
    aggregate_type = "customer"
    customer_id: int = about()
    email: str


@dataclass(frozen=True, kw_only=True)
class CustomerPreferencesChanged(DomainEvent):
    type = EventType.CUSTOMER_PREFERENCES_CHANGED
    aggregate_type = "customer"
    customer_id: int = about()
    receives_surveys: bool
    locale: str | None
