"""Webhook delivery against a real local HTTP receiver: signatures, retries, failures,
redelivery, replay, two workers at once, and a worker that dies mid-delivery."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import select

from api.auth import SYSTEM_ACTOR, Permission
from api.db import Database
from api.errors import InvalidInput
from api.events.log import decode_position
from api.events.models import EventType
from api.settings import Settings
from api.webhooks.models import WebhookAttempt, WebhookDelivery
from api.webhooks.service import create_webhook, redeliver, replay
from api.webhooks.signing import SIGNATURE_HEADER, verify
from api.webhooks.statuses import DeliveryStatus
from api.webhooks.worker import WebhookWorker
from tests.factories import order_cancelled
from tests.webhooks import SECRET, Receiver, emit, quick, rounds

EVERYTHING = frozenset(Permission)


async def hook(database: Database, url: str, *types: EventType) -> int:
    """A webhook for ``types`` (by default the ORDER_HELD events the tests emit: with no types
    it would also receive its own WEBHOOK_CREATED)."""
    wanted = types or (EventType.ORDER_HELD,)
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        created = await create_webhook(
            uow,
            url=url,
            event_types=[t.value for t in wanted],
            secret=SECRET,
            allow_private_targets=True,
            owner_permissions=EVERYTHING,
        )
    assert created.id is not None
    return created.id


async def deliveries(database: Database) -> list[WebhookDelivery]:
    async with database.session() as session:
        return list((await session.execute(select(WebhookDelivery))).scalars())


async def test_a_delivery_is_signed_and_carries_the_event(
    database: Database, settings: Settings, receiver: Receiver
) -> None:
    await emit(database, 1)  # before the webhook: not delivered
    await hook(database, receiver.url)
    await emit(database, 2)
    await rounds(WebhookWorker(database, quick(settings)))
    [(headers, body)] = receiver.received
    assert verify(SECRET, body, headers[SIGNATURE_HEADER.lower()])
    assert not verify("another-secret-0123456789", body, headers[SIGNATURE_HEADER.lower()])
    assert not verify(SECRET, body + b" ", headers[SIGNATURE_HEADER.lower()])
    payload = json.loads(body)
    assert payload["deliveryId"] == headers["oms-delivery-id"]
    assert (payload["event"]["type"], payload["event"]["orderId"]) == ("ORDER_HELD", 2)
    assert headers["oms-event-type"] == "ORDER_HELD"


async def test_a_receiver_that_fails_three_times_gets_the_event_once_as_a_success(
    database: Database, settings: Settings, receiver: Receiver
) -> None:
    receiver.failures = 3
    await hook(database, receiver.url)
    await emit(database, 7)
    await rounds(WebhookWorker(database, quick(settings)), count=8)
    assert len(receiver.received) == 4 and len(set(receiver.delivery_ids)) == 1
    [delivery] = await deliveries(database)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
        DeliveryStatus.DELIVERED,
        4,
        204,
    )
    async with database.session() as session:
        attempts = (await session.execute(select(WebhookAttempt))).scalars().all()
    assert [attempt.status_code for attempt in attempts] == [503, 503, 503, 204]
    assert [attempt.error for attempt in attempts] == ["HTTP 503"] * 3 + [None]


async def test_only_the_chosen_event_types_are_delivered(
    database: Database, settings: Settings, receiver: Receiver
) -> None:
    await hook(database, receiver.url, EventType.ORDER_CANCELLED)
    await emit(database, 1)
    await emit(database, 2, event=order_cancelled)
    await rounds(WebhookWorker(database, quick(settings)))
    assert [json.loads(body)["event"]["type"] for _, body in receiver.received] == [
        "ORDER_CANCELLED"
    ]


async def test_a_delivery_failing_past_the_retry_period_fails_and_can_be_redelivered(
    database: Database, settings: Settings, receiver: Receiver
) -> None:
    receiver.failures = 100
    await hook(database, receiver.url)
    await emit(database, 1)
    worker = WebhookWorker(database, quick(settings, webhook_retry_hours=0.1 / 3600))
    await rounds(worker, count=6)
    [delivery] = await deliveries(database)
    assert delivery.status == DeliveryStatus.FAILED
    receiver.failures = 0
    async with database.unit_of_work("staff:1") as uow:
        assert delivery.id is not None
        await redeliver(uow, delivery.id, owned_by=None)
    await rounds(worker)
    [delivery] = await deliveries(database)
    assert delivery.status == DeliveryStatus.DELIVERED


async def test_replaying_from_a_cursor_delivers_those_events_again(
    database: Database, settings: Settings, receiver: Receiver
) -> None:
    webhook_id = await hook(database, receiver.url)
    await emit(database, 1, 2, 3)
    worker = WebhookWorker(database, quick(settings))
    await rounds(worker)
    first = [json.loads(body)["event"] for _, body in receiver.received]
    assert [event["orderId"] for event in first] == [1, 2, 3]
    async with database.unit_of_work("staff:1") as uow:
        after = decode_position(first[0]["cursor"], settings.secret_key)
        await replay(uow, webhook_id, after, owned_by=None)
    await rounds(worker)
    again = [json.loads(body)["event"]["orderId"] for _, body in receiver.received[3:]]
    assert sorted(again) == [2, 3]


async def test_bad_webhooks_are_refused(database: Database) -> None:
    for url, types, secret in [
        ("ftp://example.com/hook", [], None),
        ("not a url", [], None),
        ("https://example.com/hook", ["NOT_AN_EVENT"], None),
        ("https://example.com/hook", [], "short"),
    ]:
        with pytest.raises(InvalidInput):
            async with database.unit_of_work("staff:1") as uow:
                await create_webhook(
                    uow, url=url, event_types=types, secret=secret, owner_permissions=EVERYTHING
                )


async def test_endpoints_on_private_addresses_are_refused_unless_allowed(
    database: Database,
) -> None:
    for url in [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://[::1]/hook",
        "https://10.0.0.7/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::ffff:192.168.1.1]/hook",
    ]:
        with pytest.raises(InvalidInput, match="public addresses only"):
            async with database.unit_of_work("staff:1") as uow:
                await create_webhook(uow, url=url, event_types=[], owner_permissions=EVERYTHING)
    async with database.unit_of_work("staff:1") as uow:
        allowed = await create_webhook(
            uow,
            url="http://127.0.0.1:8080/hook",
            event_types=[],
            allow_private_targets=True,
            owner_permissions=EVERYTHING,
        )
    assert allowed.id is not None


async def test_a_delivery_to_a_private_address_is_refused_at_each_attempt(
    database: Database, settings: Settings, receiver: Receiver
) -> None:
    """A webhook registered while private targets were allowed (or a name that now resolves
    to a private address) is checked again when delivered."""
    await hook(database, receiver.url)
    await emit(database, 1)
    guarded = quick(settings, webhook_allow_private_targets=False)
    await rounds(WebhookWorker(database, guarded))
    assert receiver.received == []
    [delivery] = await deliveries(database)
    assert delivery.last_error == "refused: 127.0.0.1 is not a public address"


@pytest.mark.postgresql
async def test_two_workers_never_send_the_same_attempt(
    pg_database: Database, receiver: Receiver
) -> None:
    settings = quick(Settings(database_url=str(pg_database.engine.url.render_as_string(False))))
    other = Database(settings.database_url, pool_size=5)
    try:
        await hook(pg_database, receiver.url)
        await emit(pg_database, *range(1, 41))
        receiver.delay = 0.01
        await asyncio.gather(
            rounds(WebhookWorker(pg_database, settings, max_in_flight=5), count=12, pause=0.01),
            rounds(WebhookWorker(other, settings, max_in_flight=5), count=12, pause=0.01),
        )
        assert len(receiver.delivery_ids) == 40
        assert len(set(receiver.delivery_ids)) == 40, "no delivery was sent twice"
    finally:
        await other.dispose()


async def test_a_worker_dying_mid_delivery_loses_nothing(
    database: Database, settings: Settings, receiver: Receiver
) -> None:
    await hook(database, receiver.url)
    await emit(database, 9)
    receiver.delay = 5  # the first attempt hangs; its worker is killed meanwhile
    dying = WebhookWorker(database, quick(settings, webhook_timeout_seconds=0.2))
    attempt = asyncio.create_task(rounds(dying))
    # Killed while the request is out, not while it still talks to the database: a task
    # cancelled inside a database call leaves its connection to the garbage collector.
    for _ in range(500):
        if receiver.received:
            break
        await asyncio.sleep(0.01)
    assert receiver.received, "the first attempt reached the receiver"
    attempt.cancel()
    receiver.delay = 0
    survivor = WebhookWorker(database, quick(settings, webhook_timeout_seconds=0.2))
    await asyncio.sleep(1.5)  # the dead worker's claim lapses (2 x timeout + 1 s)
    await rounds(survivor)
    [delivery] = await deliveries(database)
    assert delivery.status == DeliveryStatus.DELIVERED
    assert set(receiver.delivery_ids) == {str(delivery.id)}
