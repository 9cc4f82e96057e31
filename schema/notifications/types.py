from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.notifications.models import Message, MessageAttempt
from api.notifications.statuses import MessageKind, MessageStatus
from schema.relations import related
from schema.relay import Node, encode_global_id

if TYPE_CHECKING:
    from schema.orders.types import OrderType

strawberry.enum(MessageKind, name="MessageKind")
strawberry.enum(MessageStatus, name="MessageStatus")


@strawberry.type(
    name="MessageAttempt", description="One try at handing a message to the mail server."
)
class MessageAttemptType:
    attempted_at: datetime
    reply_code: int | None = strawberry.field(
        description="The server's reply: 250 taken, 4xx try again, 5xx never; none if no "
        "answer came."
    )
    latency_ms: int
    error: str | None

    @classmethod
    def from_row(cls, row: MessageAttempt) -> MessageAttemptType:
        return cls(
            attempted_at=row.attempted_at,
            reply_code=row.reply_code,
            latency_ms=row.latency_ms,
            error=row.error,
        )


@strawberry.type(
    name="CustomerMessage",
    description="A mail to a customer about an order, as it was (or will be) sent.",
)
class CustomerMessageType(Node):
    pk: strawberry.Private[int]
    order_pk: strawberry.Private[int]
    kind: MessageKind
    status: MessageStatus
    transactional: bool = strawberry.field(
        description="About the order or its money; false for the survey, which a customer may "
        "opt out of."
    )
    locale: str
    recipient: str
    subject: str
    text_body: str
    html_body: str
    attempt_count: int
    next_attempt_at: datetime | None = strawberry.field(description="While PENDING.")
    created_at: datetime
    created_by: str
    sent_at: datetime | None
    last_error: str | None

    attempts = related("attempts_by_message_id", "pk", list[MessageAttemptType])
    order = related(
        "order_by_id", "order_pk", Annotated["OrderType", strawberry.lazy("schema.orders.types")]
    )
    resend_of_id: strawberry.ID | None = strawberry.field(
        description="The message this one sends again."
    )

    @classmethod
    def from_row(cls, row: Message) -> CustomerMessageType:
        assert row.id is not None
        pending = row.status == MessageStatus.PENDING
        return cls(
            id=encode_global_id("CustomerMessage", row.id),
            pk=row.id,
            order_pk=row.order_id,
            resend_of_id=(
                encode_global_id("CustomerMessage", row.resend_of_id)
                if row.resend_of_id is not None
                else None
            ),
            kind=MessageKind(row.kind),
            status=MessageStatus(row.status),
            transactional=row.transactional,
            locale=row.locale,
            recipient=row.recipient,
            subject=row.subject,
            text_body=row.text_body,
            html_body=row.html_body,
            attempt_count=row.attempts,
            next_attempt_at=row.next_attempt_at if pending else None,
            created_at=row.created_at,
            created_by=row.created_by,
            sent_at=row.sent_at,
            last_error=row.last_error,
        )
