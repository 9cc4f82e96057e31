from __future__ import annotations

import strawberry
from sqlmodel import col

from api.auth import Permission
from api.notifications import queries, service
from api.notifications.models import Message
from api.notifications.statuses import MessageKind, MessageStatus
from schema import fields
from schema.context import Info
from schema.errors import UserError
from schema.notifications.types import CustomerMessageType
from schema.relay import Connection, connection, decode_id, query_id


@strawberry.input
class MessageFilter:
    status: list[MessageStatus] | None = None
    kind: list[MessageKind] | None = None
    order_id: strawberry.ID | None = None
    recipient: str | None = strawberry.field(default=None, description="An email address.")


@strawberry.type
class NotificationQueries:
    @fields.query(
        Permission.ORDERS_READ,
        description="Mail to customers, newest first by default: what was sent, kept or "
        "failed, and each attempt.",
    )
    async def messages(
        self,
        info: Info,
        filter: MessageFilter | None = None,
        reverse: bool = True,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[CustomerMessageType]:
        criteria = filter or MessageFilter()
        statement = queries.messages_query(
            queries.MessageFilter(
                statuses=[status.value for status in criteria.status or []],
                kinds=[kind.value for kind in criteria.kind or []],
                order_id=(
                    query_id(criteria.order_id, "Order", "filter.orderId")
                    if criteria.order_id
                    else None
                ),
                recipient=criteria.recipient,
            )
        )
        return await connection(
            info,
            statement,
            col(Message.id),
            CustomerMessageType.from_row,
            first=first,
            after=after,
            last=last,
            before=before,
            descending=reverse,
        )


@strawberry.input
class ResendMessageInput:
    message_id: strawberry.ID


@strawberry.type
class ResendMessagePayload:
    message: CustomerMessageType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class NotificationMutations:
    @fields.mutation(
        Permission.ORDERS_WRITE,
        description="Sends a message again, as a new message with the same words, to the "
        "same address.",
    )
    async def resend_message(self, info: Info, input: ResendMessageInput) -> ResendMessagePayload:
        message_id = decode_id(input.message_id, "CustomerMessage", "messageId")
        async with info.context.unit_of_work() as uow:
            again = await service.resend(uow, message_id)
        return ResendMessagePayload(message=CustomerMessageType.from_row(again))
