"""Webhook commands: register an endpoint, remove it, deliver again, replay from a cursor.

A webhook belongs to whoever made it (``Webhook.created_by``). Commands on webhooks take the
owner a caller acts for (``owned_by``: an API key acts for itself; staff, who run the whole
shop, for anyone, None): another owner's webhook is NOT_FOUND to it, as if it did not exist."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from urllib.parse import urlsplit

from sqlalchemy import select, tuple_, update
from sqlmodel import col

from api.auth import Permission
from api.db import UnitOfWork
from api.dbtypes import utcnow
from api.errors import InvalidInput, NotFound
from api.events.audience import READ_PERMISSION, unreadable
from api.events.log import LogPosition, log_end
from api.events.models import Event, EventType
from api.webhooks.events import WebhookCreated, WebhookDeleted
from api.webhooks.models import Webhook, WebhookDelivery
from api.webhooks.rules import DELIVERY
from api.webhooks.statuses import DeliveryStatus
from api.webhooks.targets import refusal_of_literal

MAX_URL_LENGTH = 2048


def _url(url: str, *, allow_private_targets: bool) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > MAX_URL_LENGTH:
        raise InvalidInput("url must be an absolute http(s) URL", field=["url"])
    refused = None if allow_private_targets else refusal_of_literal(parts.hostname)
    if refused:
        raise InvalidInput(
            f"webhooks go to public addresses only: {refused} "
            "(OMS_WEBHOOK_ALLOW_PRIVATE_TARGETS allows private ones)",
            field=["url"],
        )
    return url


def _event_types(types: Sequence[str], permissions: frozenset[Permission]) -> list[str]:
    known = {event_type.value for event_type in EventType}
    unknown = sorted(set(types) - known)
    if unknown:
        raise InvalidInput(f"unknown event types: {', '.join(unknown)}", field=["events"])
    closed = unreadable(list(set(types)), permissions)
    if closed:
        needed = sorted({READ_PERMISSION[name].value for name in closed})
        raise InvalidInput(
            f"{', '.join(closed)} need {', '.join(needed)}, which the webhook's owner lacks",
            field=["events"],
        )
    return sorted(set(types))


def _secret(secret: str | None) -> str:
    if secret is None:
        return secrets.token_urlsafe(32)
    if not 16 <= len(secret) <= 128:
        raise InvalidInput("secret must be 16 to 128 characters", field=["secret"])
    return secret


async def create_webhook(
    uow: UnitOfWork,
    *,
    url: str,
    event_types: Sequence[str],
    secret: str | None = None,
    allow_private_targets: bool = False,
    owner_permissions: frozenset[Permission],
) -> Webhook:
    """An endpoint, owned by the unit of work's actor, that receives the events committed from
    now on (``event_types``, or every one its owner may read; naming one it may not read is
    refused). Unless ``allow_private_targets``, an endpoint on a private address or on this
    machine is refused (a host name is checked again at each delivery, when it is resolved)."""
    async with uow.database.reader() as reader:
        start = await log_end(reader)
    webhook = Webhook(
        url=_url(url, allow_private_targets=allow_private_targets),
        event_types=_event_types(event_types, owner_permissions),
        secret=_secret(secret),
        after_transaction_id=start.transaction_id,
        after_event_id=start.event_id,
        starts_after_transaction_id=start.transaction_id,
        starts_after_event_id=start.event_id,
        created_by=uow.actor,
    )
    uow.session.add(webhook)
    await uow.session.flush()
    assert webhook.id is not None
    uow.record(WebhookCreated(webhook_id=webhook.id, url=webhook.url, events=webhook.event_types))
    await uow.commit()
    return webhook


def owns(owned_by: str | None, webhook: Webhook) -> bool:
    return owned_by is None or webhook.created_by == owned_by


async def _live_webhook(
    uow: UnitOfWork, webhook_id: int, owned_by: str | None, field: str = "id"
) -> Webhook:
    webhook = await uow.session.get(Webhook, webhook_id)
    if webhook is None or webhook.deleted_at is not None or not owns(owned_by, webhook):
        raise NotFound("webhook", webhook_id, field=[field])
    return webhook


async def delete_webhook(uow: UnitOfWork, webhook_id: int, *, owned_by: str | None) -> None:
    """No more deliveries; its history stays readable."""
    webhook = await _live_webhook(uow, webhook_id, owned_by)
    webhook.active = False
    webhook.deleted_at = utcnow()
    uow.record(WebhookDeleted(webhook_id=webhook_id))
    await uow.commit()


async def redeliver(uow: UnitOfWork, delivery_id: int, *, owned_by: str | None) -> WebhookDelivery:
    """Deliver again now, whatever became of the earlier attempts."""
    delivery = await uow.session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        raise NotFound("webhook delivery", delivery_id, field=["deliveryId"])
    await _live_webhook(uow, delivery.webhook_id, owned_by, "deliveryId")
    DELIVERY.move(delivery, DeliveryStatus.PENDING, delivery_id)
    delivery.next_attempt_at = utcnow()
    await uow.commit()
    return delivery


async def replay(
    uow: UnitOfWork, webhook_id: int, after: LogPosition, *, owned_by: str | None
) -> Webhook:
    """Deliver again every event after ``after`` (or after the webhook was made, if that is
    later: a webhook never receives what came before it): those already delivered and those
    not yet."""
    webhook = await _live_webhook(uow, webhook_id, owned_by, "webhookId")
    after = max(
        after, LogPosition(webhook.starts_after_transaction_id, webhook.starts_after_event_id)
    )
    later = select(col(Event.id)).where(
        tuple_(col(Event.transaction_id), col(Event.id)) > (after.transaction_id, after.event_id)
    )
    await uow.session.execute(
        update(WebhookDelivery)
        .where(col(WebhookDelivery.webhook_id) == webhook_id)
        .where(col(WebhookDelivery.event_id).in_(later))
        .values(
            **DELIVERY.bulk_move(DeliveryStatus, DeliveryStatus.PENDING), next_attempt_at=utcnow()
        )
    )
    current = LogPosition(webhook.after_transaction_id, webhook.after_event_id)
    if after < current:
        webhook.after_transaction_id, webhook.after_event_id = after.transaction_id, after.event_id
    await uow.commit()
    return webhook
