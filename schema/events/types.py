from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from api.events.log import LogPosition
from api.events.models import Event, EventType
from api.events.topics import order_id_of
from schema.context import Info
from schema.relay import Node, PageInfo, encode_global_id

strawberry.enum(EventType, description="What happened.")


@strawberry.type(name="Event", description="One committed change, from the event log.")
class EventNode(Node):
    pk: strawberry.Private[int]
    position: strawberry.Private[LogPosition]
    type: EventType
    occurred_at: datetime
    actor: str
    order_id: strawberry.ID | None
    data: JSON

    @classmethod
    def from_row(cls, row: Event) -> EventNode:
        assert row.id is not None
        order_pk = order_id_of(row)
        order_id = encode_global_id("Order", order_pk) if order_pk is not None else None
        return cls(
            id=encode_global_id("Event", row.id),
            pk=row.id,
            position=LogPosition.of(row),
            type=EventType(row.type),
            occurred_at=row.occurred_at,
            actor=row.actor,
            order_id=order_id,
            data=JSON(row.payload),
        )

    @strawberry.field(description="Pass as `after` to resume after this event.")
    def cursor(self, info: Info) -> str:
        return self.position.encode(info.context.settings.secret_key)


@strawberry.type
class EventEdge:
    cursor: str
    node: EventNode


@strawberry.type(
    description="A stretch of the event log, in the order commits extend it. It has no "
    "totalCount: the log only grows. pageInfo.endCursor resumes after the last event (or is "
    "the `after` given, when nothing followed it yet)."
)
class EventConnection:
    edges: list[EventEdge]
    page_info: PageInfo

    @strawberry.field
    def nodes(self) -> list[EventNode]:
        return [edge.node for edge in self.edges]
