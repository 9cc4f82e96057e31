from __future__ import annotations

import base64
from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from api.events.models import Event, EventType
from schema.relay import Node, encode_global_id

strawberry.enum(EventType, description="What happened.")


def event_cursor(event_id: int) -> str:
    return base64.urlsafe_b64encode(f"event:{event_id}".encode()).decode()


@strawberry.type(name="Event", description="One committed change, from the event log.")
class EventNode(Node):
    pk: strawberry.Private[int]
    cursor: str = strawberry.field(description="Pass as `after` to resume after this event.")
    type: EventType
    occurred_at: datetime
    actor: str
    order_id: strawberry.ID | None
    data: JSON

    @classmethod
    def from_row(cls, row: Event) -> EventNode:
        assert row.id is not None
        is_order = row.aggregate_type == "order"
        order_id = encode_global_id("Order", row.aggregate_id) if is_order else None
        return cls(
            id=encode_global_id("Event", row.id),
            pk=row.id,
            cursor=event_cursor(row.id),
            type=EventType(row.type),
            occurred_at=row.occurred_at,
            actor=row.actor,
            order_id=order_id,
            data=JSON(row.payload),
        )
