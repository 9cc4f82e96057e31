"""A subscription that must end tells its client why, with a close code to resume on."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from api.db import Database
from api.events.feed import EventFeed, FeedSettings
from schema.events.subscriptions import SERVICE_RESTART, SLOW_CONSUMER, _events
from tests.factories import commit_events


@dataclass
class RecordingSocket:
    """Stands for the Starlette WebSocket the protocol handler gives the context."""

    closed: list[tuple[int, str]] = field(default_factory=list)

    async def close(self, code: int, reason: str) -> None:
        self.closed.append((code, reason))


@dataclass
class Context:
    feed: EventFeed
    request: RecordingSocket
    reads: Any = None
    loaders: Any = None


@dataclass
class Info:
    context: Context


async def test_a_subscriber_too_far_behind_is_closed_with_try_again_later(
    database: Database,
) -> None:
    feed = EventFeed(database, FeedSettings(queue_limit=2, poll_seconds=30))
    await feed.start()
    socket = RecordingSocket()
    events = _events(Info(Context(feed, socket)), lambda _: True, None)  # type: ignore[arg-type]
    try:
        first = asyncio.create_task(anext(events))
        await asyncio.sleep(0.05)
        await commit_events(database, *range(5))
        await first
        await asyncio.sleep(0.2)  # the rest overflowed the queue of 2
        hung_up = asyncio.create_task(anext(events))
        await asyncio.sleep(0.1)
        assert socket.closed and socket.closed[0][0] == SLOW_CONSUMER == 1013
        assert "resume" in socket.closed[0][1]
        hung_up.cancel()
    finally:
        await feed.stop()


async def test_a_feed_shutting_down_closes_its_subscribers_with_service_restart(
    database: Database,
) -> None:
    feed = EventFeed(database, FeedSettings(poll_seconds=30))
    await feed.start()
    socket = RecordingSocket()
    events = _events(Info(Context(feed, socket)), lambda _: True, None)  # type: ignore[arg-type]
    waiting = asyncio.create_task(anext(events))
    await asyncio.sleep(0.05)
    await feed.stop()
    await asyncio.sleep(0.1)
    assert [code for code, _ in socket.closed] == [SERVICE_RESTART] == [1012]
    waiting.cancel()
