"""What happens to sales channels."""

from __future__ import annotations

from dataclasses import dataclass

from api.events.declared import DomainEvent, about
from api.events.models import EventType


@dataclass(frozen=True, kw_only=True)
class ChannelCreated(DomainEvent):
    type = EventType.CHANNEL_CREATED
    aggregate_type = "channel"
    channel_id: int = about()
    code: str
    name: str
