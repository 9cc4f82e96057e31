"""The delivery worker: turns new events into deliveries, and delivers what is due.

Deliveries come from the event log, like subscriptions: each webhook keeps the log position up
to which events have become deliveries, and advances it in the transaction that writes them.
A delivery is claimed before it is sent (PostgreSQL: ``FOR UPDATE SKIP LOCKED``, so that two
workers never take the same one) by pushing its due time past the attempt's timeout; a worker
that dies mid-attempt leaves a claim that lapses, and the delivery is tried again. Receivers
get each event at least once and deduplicate by ``OMS-Delivery-Id``.

Retries back off exponentially with jitter until ``webhook_retry_hours`` after the delivery was
made; then it is FAILED, and ``redeliverWebhook`` or a replay tries again.

An attempt has ``webhook_timeout_seconds`` in all (connecting, sending, the answer's status),
and the answer's body is never read: an endpoint that trickles bytes or answers gigabytes
costs one slot for that long and no more. Attempts run side by side, at most
``MAX_IN_FLIGHT`` per worker and ``MAX_IN_FLIGHT_PER_WEBHOOK`` per endpoint, and the worker
claims more as each one ends: a slow or dead endpoint holds up its own deliveries, never
another partner's, and never the API's requests.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import case, func, insert, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col

from api.auth import Permission
from api.backoff import RetryPolicy
from api.db import Database
from api.dbtypes import utcnow
from api.events.audience import readable_types
from api.events.log import LogPosition, read_log
from api.events.models import Event
from api.events.topics import order_id_of
from api.reads import load_by_key
from api.settings import Settings
from api.users.queries import permissions_of
from api.webhooks import queries
from api.webhooks.models import Webhook, WebhookAttempt, WebhookDelivery
from api.webhooks.rules import DELIVERY
from api.webhooks.signing import SIGNATURE_HEADER, sign
from api.webhooks.statuses import DeliveryStatus
from api.webhooks.targets import PinnedRequest, TargetRefused, pinned

log = logging.getLogger("oms.webhooks")
USER_AGENT = "OMS-Webhooks/1"
MAX_IN_FLIGHT = 50
MAX_IN_FLIGHT_PER_WEBHOOK = 8


@dataclass(frozen=True)
class Claimed:
    delivery_id: int
    webhook_id: int
    event_id: int
    attempts: int
    created_at: datetime


def delivery_body(delivery_id: int, event: Event, cursor_key: str) -> bytes:
    return json.dumps(
        {
            "deliveryId": str(delivery_id),
            "event": {
                "cursor": LogPosition.of(event).encode(cursor_key),
                "type": event.type,
                "occurredAt": event.occurred_at.isoformat(),
                "aggregateType": event.aggregate_type,
                "aggregateId": event.aggregate_id,
                "orderId": order_id_of(event),
                "data": event.payload,
            },
        },
        separators=(",", ":"),
    ).encode()


class WebhookWorker:
    def __init__(
        self,
        database: Database,
        settings: Settings,
        *,
        poll_seconds: float = 0.5,
        max_in_flight: int = MAX_IN_FLIGHT,
        max_in_flight_per_webhook: int = MAX_IN_FLIGHT_PER_WEBHOOK,
    ) -> None:
        self.database = database
        self.retry = RetryPolicy(
            base_seconds=settings.webhook_retry_base_seconds,
            max_seconds=settings.webhook_retry_max_seconds,
            period=timedelta(hours=settings.webhook_retry_hours),
        )
        self.timeout = settings.webhook_timeout_seconds
        self.cursor_key = settings.secret_key
        self.allow_private_targets = settings.webhook_allow_private_targets
        self.poll_seconds = poll_seconds
        self.max_in_flight = max_in_flight
        self.max_in_flight_per_webhook = max_in_flight_per_webhook
        self._in_flight: dict[asyncio.Task[None], int] = {}
        """Attempts under way, each with its webhook's id."""

    async def run(self, stop: asyncio.Event) -> None:
        """Enqueues and starts due attempts once per poll (not per commit: under a load of
        orders that would be hundreds a second), and again whenever an attempt ends, until
        ``stop`` is set; then lets the attempts under way finish (each within its deadline)."""
        async with httpx.AsyncClient(timeout=self.timeout, follow_redirects=False) as client:
            while not stop.is_set():
                try:
                    if await self.enqueue() is not None:
                        await self.start_due(client)
                except Exception:  # the worker outlives a failed round; the next retries
                    log.exception("webhook round failed")
                stopping = asyncio.ensure_future(stop.wait())
                await asyncio.wait(
                    [stopping, *self._in_flight],
                    timeout=self.poll_seconds,
                    return_when=asyncio.FIRST_COMPLETED,
                )
                stopping.cancel()
            if self._in_flight:
                await asyncio.wait(list(self._in_flight))

    async def enqueue(self) -> int | None:
        """Deliveries for the events each webhook has not seen yet: how many were made, or
        None when no webhook is active (nothing to deliver either)."""
        async with self.database.reader() as reader:
            webhooks = await queries.active_webhooks(reader)
            if not webhooks:
                return None
            owners = await permissions_of(reader, [webhook.created_by for webhook in webhooks])
        made = 0
        for webhook in webhooks:
            made += await self._enqueue_one(webhook, owners[webhook.created_by])
        return made

    async def _enqueue_one(self, webhook: Webhook, owner_permissions: frozenset[Permission]) -> int:
        """Deliveries of the events after the webhook's position that it asked for and its
        owner may read now (none once the owner's key is revoked or its user deactivated)."""
        position = LogPosition(webhook.after_transaction_id, webhook.after_event_id)
        async with self.database.reader() as reader:
            events = await read_log(reader, position, 500)
        if not events:
            return 0
        wanted = readable_types(owner_permissions)
        if webhook.event_types:
            wanted &= set(webhook.event_types)
        now = utcnow()
        rows = [
            {
                "webhook_id": webhook.id,
                "event_id": event.id,
                "status": DELIVERY.start(DeliveryStatus.PENDING),
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
            for event in events
            if event.type in wanted
        ]
        last = LogPosition.of(events[-1])
        async with self.database.unit_of_work("system:webhooks") as uow:
            if rows:
                await uow.session.execute(self._insert_new(), rows)
            await uow.session.execute(
                update(Webhook)
                .where(
                    col(Webhook.id) == webhook.id,
                    col(Webhook.after_transaction_id) == position.transaction_id,
                    col(Webhook.after_event_id) == position.event_id,
                )
                .values(after_transaction_id=last.transaction_id, after_event_id=last.event_id)
            )
            await uow.commit()
        return len(rows)

    def _insert_new(self) -> Any:
        table = WebhookDelivery.__table__  # type: ignore[attr-defined]
        dialect = sqlite if self.database.is_sqlite else postgresql
        return dialect.insert(table).on_conflict_do_nothing(
            index_elements=["webhook_id", "event_id"]
        )

    async def claim(self, limit: int, in_flight: dict[int, int]) -> list[Claimed]:
        """Up to ``limit`` due deliveries, taken for one attempt each (no other worker sees
        them until the attempt's claim lapses), and no more per webhook than its share of
        ``max_in_flight_per_webhook`` beside the ``in_flight`` attempts it has already."""
        now = utcnow()
        delivery = WebhookDelivery.__table__.c  # type: ignore[attr-defined]
        cap = self.max_in_flight_per_webhook
        share = (
            case(
                {webhook_id: cap - count for webhook_id, count in in_flight.items()},
                value=delivery.webhook_id,
                else_=cap,
            )
            if in_flight
            else literal(cap)
        )
        ranked = (
            select(
                delivery.id,
                func.row_number()
                .over(partition_by=delivery.webhook_id, order_by=delivery.next_attempt_at)
                .label("rank"),
                share.label("share"),
            )
            .where(
                delivery.status == DeliveryStatus.PENDING,
                delivery.next_attempt_at <= now,
                delivery.webhook_id.in_(select(col(Webhook.id)).where(col(Webhook.active))),
            )
            .subquery()
        )
        due = (
            select(delivery.id)
            .where(delivery.id.in_(select(ranked.c.id).where(ranked.c.rank <= ranked.c.share)))
            .order_by(delivery.next_attempt_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        async with self.database.unit_of_work("system:webhooks") as uow:
            result = await uow.session.execute(
                update(WebhookDelivery)
                .where(col(WebhookDelivery.id).in_(due.scalar_subquery()))
                .values(
                    attempts=col(WebhookDelivery.attempts) + 1,
                    next_attempt_at=now + timedelta(seconds=self.timeout * 2 + 1),
                )
                .returning(
                    col(WebhookDelivery.id),
                    col(WebhookDelivery.webhook_id),
                    col(WebhookDelivery.event_id),
                    col(WebhookDelivery.attempts),
                    col(WebhookDelivery.created_at),
                )
            )
            claimed = [Claimed(*row) for row in result.all()]  # type: ignore[arg-type]
            await uow.commit()
        return claimed

    async def start_due(self, client: httpx.AsyncClient) -> list[asyncio.Task[None]]:
        """Starts the due attempts there is room for; they run on while the worker goes on."""
        free = self.max_in_flight - len(self._in_flight)
        if free <= 0:
            return []
        per_webhook: dict[int, int] = {}
        for webhook_id in self._in_flight.values():
            per_webhook[webhook_id] = per_webhook.get(webhook_id, 0) + 1
        claimed = await self.claim(free, per_webhook)
        if not claimed:
            return []
        async with self.database.reader() as reader:
            events = await load_by_key(
                reader, Event, col(Event.id), [item.event_id for item in claimed]
            )
            hooks = await queries.webhooks_by_id(reader, [item.webhook_id for item in claimed])
        started = []
        for item, webhook, event in zip(claimed, hooks, events, strict=True):
            if webhook is None or event is None:  # both referenced by the delivery
                continue
            task = asyncio.create_task(self._attempt(client, item, webhook, event))
            self._in_flight[task] = item.webhook_id
            task.add_done_callback(self._finished)
            started.append(task)
        return started

    def _finished(self, task: asyncio.Task[None]) -> None:
        del self._in_flight[task]
        if not task.cancelled() and task.exception() is not None:
            log.error("webhook attempt failed", exc_info=task.exception())

    async def deliver_due(self, client: httpx.AsyncClient) -> int:
        """Starts the due attempts there is room for and waits for them: how many there were."""
        started = await self.start_due(client)
        if started:
            await asyncio.wait(started)
        return len(started)

    async def _attempt(
        self, client: httpx.AsyncClient, item: Claimed, webhook: Webhook, event: Event
    ) -> None:
        body = delivery_body(item.delivery_id, event, self.cursor_key)
        headers = {
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            "OMS-Delivery-Id": str(item.delivery_id),
            "OMS-Event-Type": event.type,
            SIGNATURE_HEADER: sign(webhook.secret, body),
        }
        started = time.perf_counter()
        status_code: int | None = None
        error: str | None = None
        try:
            async with asyncio.timeout(self.timeout):
                target = (
                    PinnedRequest(webhook.url)
                    if self.allow_private_targets
                    else await pinned(webhook.url)
                )
                # Streamed, and closed unread: only the status matters.
                async with client.stream(
                    "POST",
                    target.url,
                    content=body,
                    headers=headers | target.headers,
                    extensions=target.extensions,
                ) as response:
                    status_code = response.status_code
            if not 200 <= status_code < 300:
                error = f"HTTP {status_code}"
        except TargetRefused as refused:
            error = f"refused: {refused}"[:500]
        except TimeoutError:
            error = f"no answer within {self.timeout:g} s"
        except httpx.HTTPError as failure:
            error = f"{type(failure).__name__}: {failure}"[:500]
        latency_ms = int((time.perf_counter() - started) * 1000)
        await self._record(item, status_code, error, latency_ms)

    async def _record(
        self, item: Claimed, status_code: int | None, error: str | None, latency_ms: int
    ) -> None:
        now = utcnow()
        if error is None:
            outcome: dict[str, Any] = {**_settled(DeliveryStatus.DELIVERED), "delivered_at": now}
        elif now - item.created_at >= self.retry.period:
            outcome = _settled(DeliveryStatus.FAILED)
        else:
            outcome = {"next_attempt_at": self.retry.next_attempt(item.attempts, now)}
        async with self.database.unit_of_work("system:webhooks") as uow:
            await uow.session.execute(
                insert(WebhookAttempt),
                [
                    {
                        "delivery_id": item.delivery_id,
                        "attempted_at": now,
                        "status_code": status_code,
                        "latency_ms": latency_ms,
                        "error": error,
                    }
                ],
            )
            # Only while the claim is this attempt's: a worker that took too long and lost
            # its claim records its attempt but decides nothing.
            await uow.session.execute(
                update(WebhookDelivery)
                .where(
                    col(WebhookDelivery.id) == item.delivery_id,
                    col(WebhookDelivery.attempts) == item.attempts,
                    col(WebhookDelivery.status) == DeliveryStatus.PENDING,
                )
                .values(last_status_code=status_code, last_error=error, **outcome)
            )
            await uow.commit()


def _settled(outcome: DeliveryStatus) -> dict[str, Any]:
    """An attempt decides a delivery still PENDING under its claim (the UPDATE's WHERE)."""
    return DELIVERY.bulk_move([DeliveryStatus.PENDING], outcome)
