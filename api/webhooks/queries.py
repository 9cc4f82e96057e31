"""Reading webhooks, their recent deliveries and each delivery's attempts."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlmodel import col

from api.events.models import Event
from api.reads import Reader, as_records, columns, keys_in, load_by_key, load_groups
from api.webhooks.models import Webhook, WebhookAttempt, WebhookDelivery

RECENT_DELIVERIES = 50


async def live_webhooks(reader: Reader, owned_by: str | None = None) -> list[Webhook]:
    """Webhooks not deleted, oldest first; only ``owned_by``'s when given."""
    statement = select(*columns(Webhook)).where(col(Webhook.deleted_at).is_(None))
    if owned_by is not None:
        statement = statement.where(col(Webhook.created_by) == owned_by)
    result = await reader.execute(statement.order_by(col(Webhook.id)))
    return as_records(result.all(), Webhook)


async def active_webhooks(reader: Reader) -> list[Webhook]:
    result = await reader.execute(select(*columns(Webhook)).where(col(Webhook.active)))
    return as_records(result.all(), Webhook)


async def delivered_events_by_id(reader: Reader, ids: Sequence[int]) -> list[Event | None]:
    return await load_by_key(reader, Event, col(Event.id), ids)


async def webhooks_by_id(reader: Reader, ids: Sequence[int]) -> list[Webhook | None]:
    return await load_by_key(reader, Webhook, col(Webhook.id), ids)


async def deliveries_by_id(reader: Reader, ids: Sequence[int]) -> list[WebhookDelivery | None]:
    return await load_by_key(reader, WebhookDelivery, col(WebhookDelivery.id), ids)


async def recent_deliveries_by_webhook_id(
    reader: Reader, ids: Sequence[int]
) -> list[list[WebhookDelivery]]:
    """Each webhook's latest deliveries, newest first, in one query."""
    ranked = (
        select(
            col(WebhookDelivery.id),
            func.row_number()
            .over(
                partition_by=col(WebhookDelivery.webhook_id),
                order_by=col(WebhookDelivery.id).desc(),
            )
            .label("rank"),
        )
        .where(keys_in(col(WebhookDelivery.webhook_id), reader.dialect.name))
        .subquery()
    )
    result = await reader.execute(
        select(*columns(WebhookDelivery))
        .join(ranked, ranked.c.id == col(WebhookDelivery.id))
        .where(
            ranked.c.rank <= RECENT_DELIVERIES,
            keys_in(col(WebhookDelivery.webhook_id), reader.dialect.name),
        )
        .order_by(col(WebhookDelivery.id).desc()),
        {"keys": list(set(ids))},
    )
    grouped: dict[int, list[WebhookDelivery]] = {}
    for delivery in as_records(result.all(), WebhookDelivery):
        grouped.setdefault(delivery.webhook_id, []).append(delivery)
    return [grouped.get(webhook_id, []) for webhook_id in ids]


async def attempts_by_delivery_id(reader: Reader, ids: Sequence[int]) -> list[list[WebhookAttempt]]:
    return await load_groups(
        reader,
        WebhookAttempt,
        col(WebhookAttempt.delivery_id),
        ids,
        order_by=col(WebhookAttempt.id),
    )
