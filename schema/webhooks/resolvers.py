from __future__ import annotations

import strawberry

from api.auth import Permission, PrincipalKind
from api.errors import InvalidInput
from api.events.log import decode_position
from api.events.models import EventType
from api.webhooks import queries, service
from schema import fields
from schema.context import Info
from schema.errors import UserError
from schema.relay import decode_id
from schema.webhooks.types import WebhookDeliveryType, WebhookType


def owner_acted_for(info: Info) -> str | None:
    """Whose webhooks the caller manages: an API key its own; staff every one (None)."""
    principal = info.context.principal
    return None if principal.kind is PrincipalKind.STAFF else principal.actor


async def visible_to_caller(info: Info, node: WebhookType | WebhookDeliveryType) -> bool:
    """Whether a webhook (or one of its deliveries), found by its ID, is the caller's."""
    owner = owner_acted_for(info)
    if owner is None:
        return True
    webhook = (
        await info.context.loaders.webhook_by_id.load(node.webhook_pk)
        if isinstance(node, WebhookDeliveryType)
        else node
    )
    return webhook is not None and webhook.owner == owner


@strawberry.type
class WebhookQueries:
    @fields.query(
        Permission.WEBHOOKS_MANAGE,
        description="Webhooks not deleted, oldest first: an API key's own, or (staff) all.",
    )
    async def webhooks(self, info: Info) -> list[WebhookType]:
        async with info.context.reads.reader() as reader:
            rows = await queries.live_webhooks(reader, owner_acted_for(info))
        return [WebhookType.from_row(row) for row in rows]


@strawberry.input
class CreateWebhookInput:
    url: str
    events: list[EventType] = strawberry.field(
        default_factory=list, description="The event types to deliver; empty: all."
    )
    secret: str | None = strawberry.field(
        default=None, description="16 to 128 characters; one is generated when omitted."
    )


@strawberry.type
class CreateWebhookPayload:
    webhook: WebhookType | None = None
    secret: str | None = strawberry.field(
        default=None,
        description="Signs every delivery (see OMS-Signature). Shown here once; keep it.",
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class DeleteWebhookInput:
    id: strawberry.ID


@strawberry.type
class DeleteWebhookPayload:
    deleted_id: strawberry.ID | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class RedeliverWebhookInput:
    delivery_id: strawberry.ID


@strawberry.type
class RedeliverWebhookPayload:
    delivery: WebhookDeliveryType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class ReplayWebhookInput:
    webhook_id: strawberry.ID
    after: str = strawberry.field(description="An event cursor: every event after it again.")


@strawberry.type
class ReplayWebhookPayload:
    webhook: WebhookType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class WebhookMutations:
    @fields.mutation(
        Permission.WEBHOOKS_MANAGE,
        description="Registers an endpoint for the events committed from now on.",
    )
    async def create_webhook(self, info: Info, input: CreateWebhookInput) -> CreateWebhookPayload:
        async with info.context.unit_of_work() as uow:
            webhook = await service.create_webhook(
                uow,
                url=input.url,
                event_types=[event.value for event in input.events],
                secret=input.secret,
                allow_private_targets=info.context.settings.webhook_allow_private_targets,
                owner_permissions=info.context.principal.permissions,
            )
        return CreateWebhookPayload(webhook=WebhookType.from_row(webhook), secret=webhook.secret)

    @fields.mutation(Permission.WEBHOOKS_MANAGE, description="No more deliveries.")
    async def delete_webhook(self, info: Info, input: DeleteWebhookInput) -> DeleteWebhookPayload:
        async with info.context.unit_of_work() as uow:
            await service.delete_webhook(
                uow, decode_id(input.id, "Webhook", "id"), owned_by=owner_acted_for(info)
            )
        return DeleteWebhookPayload(deleted_id=input.id)

    @fields.mutation(Permission.WEBHOOKS_MANAGE, description="Delivers one delivery again, now.")
    async def redeliver_webhook(
        self, info: Info, input: RedeliverWebhookInput
    ) -> RedeliverWebhookPayload:
        delivery_id = decode_id(input.delivery_id, "WebhookDelivery", "deliveryId")
        async with info.context.unit_of_work() as uow:
            delivery = await service.redeliver(uow, delivery_id, owned_by=owner_acted_for(info))
        return RedeliverWebhookPayload(delivery=WebhookDeliveryType.from_row(delivery))

    @fields.mutation(
        Permission.WEBHOOKS_MANAGE,
        description="Delivers every event after a cursor again (as new deliveries where none "
        "was made yet).",
    )
    async def replay_webhook(self, info: Info, input: ReplayWebhookInput) -> ReplayWebhookPayload:
        webhook_id = decode_id(input.webhook_id, "Webhook", "webhookId")
        try:
            after = decode_position(input.after, info.context.settings.secret_key)
        except InvalidInput as error:
            raise InvalidInput(error.message, field=["after"]) from error
        async with info.context.unit_of_work() as uow:
            webhook = await service.replay(uow, webhook_id, after, owned_by=owner_acted_for(info))
        return ReplayWebhookPayload(webhook=WebhookType.from_row(webhook))
