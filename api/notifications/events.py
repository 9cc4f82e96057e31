"""What happens to customers' messages that the log keeps."""

from __future__ import annotations

from dataclasses import dataclass

from api.events.declared import DomainEvent, about
from api.events.models import EventType


@dataclass(frozen=True, kw_only=True)
class MessageResent(DomainEvent):
    type = EventType.MESSAGE_RESENT
    aggregate_type = "order"
    order_id: int = about()
    message_id: int
    resend_of: int
    kind: str
