from __future__ import annotations

from datetime import datetime

import strawberry

from api.events.models import EventType
from api.webhooks.models import Webhook, WebhookAttempt, WebhookDelivery
from api.webhooks.statuses import DeliveryStatus
from schema.events.types import EventNode
from schema.relations import related
from schema.relay import Node, encode_global_id

strawberry.enum(DeliveryStatus, name="WebhookDeliveryStatus")


@strawberry.type(name="WebhookAttempt", description="One try at delivering: what the endpoint did.")
class WebhookAttemptType:
    attempted_at: datetime
    status_code: int | None = strawberry.field(description="None when no answer came.")
    latency_ms: int
    error: str | None

    @classmethod
    def from_row(cls, row: WebhookAttempt) -> WebhookAttemptType:
        return cls(
            attempted_at=row.attempted_at,
            status_code=row.status_code,
            latency_ms=row.latency_ms,
            error=row.error,
        )


@strawberry.type(
    name="WebhookDelivery",
    description="One event for one webhook, sent until the endpoint answers 2xx or the retry "
    "period ends. Its id is the OMS-Delivery-Id header receivers deduplicate by.",
)
class WebhookDeliveryType(Node):
    pk: strawberry.Private[int]
    webhook_pk: strawberry.Private[int]
    event_pk: strawberry.Private[int]
    delivery_id: str = strawberry.field(description="As sent in OMS-Delivery-Id.")
    event_id: strawberry.ID
    status: DeliveryStatus
    attempt_count: int
    next_attempt_at: datetime | None
    created_at: datetime
    delivered_at: datetime | None
    last_status_code: int | None
    last_error: str | None

    attempts = related("attempts_by_delivery_id", "pk", list[WebhookAttemptType])
    event = related(
        "delivered_event_by_id",
        "event_pk",
        EventNode,
        description="The event delivered; its cursor replays what followed it (replayWebhook).",
    )

    @classmethod
    def from_row(cls, row: WebhookDelivery) -> WebhookDeliveryType:
        assert row.id is not None
        pending = row.status == DeliveryStatus.PENDING
        return cls(
            id=encode_global_id("WebhookDelivery", row.id),
            pk=row.id,
            webhook_pk=row.webhook_id,
            event_pk=row.event_id,
            delivery_id=str(row.id),
            event_id=strawberry.ID(encode_global_id("Event", row.event_id)),
            status=DeliveryStatus(row.status),
            attempt_count=row.attempts,
            next_attempt_at=row.next_attempt_at if pending else None,
            created_at=row.created_at,
            delivered_at=row.delivered_at,
            last_status_code=row.last_status_code,
            last_error=row.last_error,
        )


@strawberry.type(name="Webhook", description="A partner endpoint that receives events.")
class WebhookType(Node):
    pk: strawberry.Private[int]
    owner: strawberry.Private[str]
    url: str
    events: list[EventType] = strawberry.field(description="Delivered event types; empty: all.")
    active: bool
    created_at: datetime

    deliveries = related(
        "recent_deliveries_by_webhook_id",
        "pk",
        list[WebhookDeliveryType],
        description="The latest 50 deliveries, newest first.",
    )

    @classmethod
    def from_row(cls, row: Webhook) -> WebhookType:
        assert row.id is not None
        return cls(
            id=encode_global_id("Webhook", row.id),
            pk=row.id,
            owner=row.created_by,
            url=row.url,
            events=[EventType(value) for value in row.event_types],
            active=row.active,
            created_at=row.created_at,
        )
