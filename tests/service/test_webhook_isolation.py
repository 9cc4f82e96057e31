"""One partner's endpoint cannot hold up another's: each attempt has one deadline for all of
it, the answer's body is never read, and a slow endpoint gets a bounded share of the worker."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

from sqlalchemy import select

from api.db import Database
from api.settings import Settings
from api.webhooks.models import WebhookAttempt, WebhookDelivery
from api.webhooks.statuses import DeliveryStatus
from api.webhooks.worker import WebhookWorker
from tests.service.test_webhooks import hook
from tests.webhooks import Receiver, emit, quick, rounds, serve_receiver


@contextlib.asynccontextmanager
async def raw_endpoint(
    answer: bytes, trickle: bytes = b"", every: float = 0.05
) -> AsyncIterator[str]:
    """An endpoint that sends ``answer``, then ``trickle`` a byte at a time, for ever."""

    talking: set[asyncio.Task[None]] = set()

    async def talk(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        talking.add(asyncio.current_task())  # type: ignore[arg-type]
        try:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(answer)
            await writer.drain()
            while trickle:
                for byte in trickle:
                    writer.write(bytes([byte]))
                    await writer.drain()
                    await asyncio.sleep(every)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(talk, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/hook"
    finally:
        server.close()
        for task in talking:
            task.cancel()
        await asyncio.gather(*talking, return_exceptions=True)
        await server.wait_closed()


async def attempts(database: Database) -> list[WebhookAttempt]:
    async with database.session() as session:
        return list((await session.execute(select(WebhookAttempt))).scalars())


async def test_an_endpoint_that_trickles_its_headers_has_one_deadline(
    database: Database, settings: Settings
) -> None:
    async with raw_endpoint(b"HTTP/1.1 200 OK\r\n", trickle=b"X-Slow: yes\r\n") as url:
        await hook(database, url)
        await emit(database, 1)
        started = time.monotonic()
        await rounds(WebhookWorker(database, quick(settings, webhook_timeout_seconds=1)))
    assert time.monotonic() - started < 8, "each byte came within the timeout, the whole did not"
    [attempt] = await attempts(database)
    assert attempt.status_code is None and attempt.error == "no answer within 1 s"


async def test_an_endless_answer_is_not_read(database: Database, settings: Settings) -> None:
    endless = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
    async with raw_endpoint(endless, trickle=b"1\r\nx\r\n", every=0.001) as url:
        await hook(database, url)
        await emit(database, 1)
        await rounds(WebhookWorker(database, quick(settings, webhook_timeout_seconds=2)))
    [attempt] = await attempts(database)
    assert (attempt.status_code, attempt.error) == (200, None)
    async with database.session() as session:
        [delivery] = (await session.execute(select(WebhookDelivery))).scalars()
    assert delivery.status == DeliveryStatus.DELIVERED


async def test_a_slow_endpoint_does_not_hold_up_another(
    database: Database, settings: Settings, receiver: Receiver
) -> None:
    async for fast in serve_receiver():
        receiver.delay = 2.5  # the slow partner answers after the deadline
        await hook(database, receiver.url)
        await hook(database, fast.url)
        await emit(database, *range(1, 21))
        worker = WebhookWorker(
            database,
            quick(settings, webhook_timeout_seconds=2),
            poll_seconds=0.05,
            max_in_flight=10,
            max_in_flight_per_webhook=3,
        )
        stop = asyncio.Event()
        running = asyncio.create_task(worker.run(stop))
        await received(fast, 20)
        assert len(fast.received) == 20, "the fast partner got every event meanwhile"
        assert receiver.most_held_at_once == 3, "the slow one holds three attempts, no more"
        await emit(database, *range(21, 26))
        await received(fast, 25)
        assert len(fast.received) == 25, (
            "later events reach the fast partner while the slow one is held"
        )
        assert receiver.most_held_at_once == 3
        stop.set()
        await asyncio.wait_for(running, 10)


async def received(receiver: Receiver, count: int, seconds: float = 15) -> None:
    """Waits for ``count`` requests without counting on this machine's speed: a busy machine
    delays the fast partner, which the slow one's three held attempts must not."""
    for _ in range(int(seconds / 0.01)):
        if len(receiver.received) >= count:
            return
        await asyncio.sleep(0.01)
