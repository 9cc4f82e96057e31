"""The event feed: one tail of the event log per process, fanned out to that process's
subscribers.

Every change reaches subscribers through the ``event`` table it was committed with, never
through a side channel: the feed reads new rows once per batch (one query, however many
subscribers) and hands each subscriber the events it wants. What wakes the feed is only a hint
that there is something to read: a commit in this process, a PostgreSQL notification from a
commit in another one (``event_inserted_notify`` trigger), or, failing both, a periodic poll.

A subscriber that passes a position first replays the log after it, then continues live; it is
registered before the replay starts and drops live events it has already replayed, so the seam
has no gap and no duplicate. With no subscriber the feed reads nothing (each commit would cost
every process a read of the log); the first subscriber to come moves it to the log's end before
taking its own starting point. Each subscriber's queue is bounded: one that falls too far behind
is told so (``SubscriberTooSlow``) and resumes from the last position it received.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from api.db import Database
from api.events.log import LogPosition, commit_horizon, log_end, read_log
from api.events.models import Event
from api.validation import whole_number

CHANNEL = "oms_events"
log = logging.getLogger("oms.events")


class SubscriberTooSlow(Exception):
    """The subscriber's queue filled up: resume from the last event received."""


class FeedClosed(Exception):
    """The process is shutting down: resume elsewhere from the last event received."""


@dataclass(eq=False)
class _Subscriber:
    wants: Callable[[Event], bool]
    queue: asyncio.Queue[Event | None]
    overflowed: bool = False
    live: bool = False
    """Past its replay (or its starting point): what commits now reaches it."""


@dataclass
class FeedSettings:
    queue_limit: int = 1_000
    """Events a subscriber may have waiting before it is cut off as too slow."""
    batch_size: int = 500
    poll_seconds: float = 1.0
    """How often the feed reads without having been woken (a notification can be lost when the
    listening connection drops)."""
    retry_seconds: float = 0.005
    """How soon to read again when a notified commit is not yet readable (an older transaction
    is still running, see ``api.events.log``)."""


@dataclass
class EventFeed:
    database: Database
    settings: FeedSettings = field(default_factory=FeedSettings)
    _subscribers: set[_Subscriber] = field(default_factory=set)
    _position: LogPosition | None = None
    _notified_transaction: int = 0
    _wake: asyncio.Event = field(default_factory=asyncio.Event)
    _task: asyncio.Task[None] | None = None
    _listener: Any = None
    _closed: bool = False
    _idle: bool = False
    """No subscriber has been served since the position was last moved: it is stale."""
    _reading: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def subscriber_count(self) -> int:
        """Subscribers that will see whatever commits from now on."""
        return sum(subscriber.live for subscriber in self._subscribers)

    async def start(self) -> None:
        async with self.database.reader() as reader:
            self._position = await log_end(reader)
        self.database.events_committed.append(self.wake)
        if not self.database.is_sqlite:
            await self._listen()
        self._task = asyncio.create_task(self._run(), name="event-feed")

    async def stop(self) -> None:
        """Ends the feed between reads (a read cut off mid-way could strand its connection)
        and tells every subscriber to resume elsewhere."""
        with contextlib.suppress(ValueError):
            self.database.events_committed.remove(self.wake)
        self._closed = True
        self.wake()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, timeout=5)
            except TimeoutError:
                log.warning("event feed did not stop in time; cancelled")
        await self._close_listener()
        for subscriber in self._subscribers:
            with contextlib.suppress(asyncio.QueueFull):
                subscriber.queue.put_nowait(None)

    def wake(self) -> None:
        self._wake.set()

    async def follow(
        self,
        wants: Callable[[Event], bool],
        after: LogPosition | None = None,
        types: Sequence[str] | None = None,
        order_id: int | None = None,
    ) -> AsyncIterator[Event]:
        """The events ``wants`` accepts: those after ``after`` first (when given), then live
        ones as they commit, in log order, each once. A follower of one order (``order_id``)
        replays that order's events only, by their index."""
        subscriber = _Subscriber(wants, asyncio.Queue(self.settings.queue_limit))
        self._subscribers.add(subscriber)
        try:
            await self._resume()
            if after is None:
                # Events committed before the subscription are not news to it, even those the
                # feed has not handed out yet.
                async with self.database.reader() as reader:
                    horizon = await commit_horizon(reader)
                seen: Callable[[Event], bool] = horizon.includes
            else:
                read_to = after
                while True:
                    async with self.database.reader() as reader:
                        rows = await read_log(
                            reader, read_to, self.settings.batch_size, types, order_id
                        )
                    for row in rows:
                        read_to = LogPosition.of(row)
                        if wants(row):
                            yield row
                    if len(rows) < self.settings.batch_size:
                        break
                seen = read_to.reaches  # what the replay handed out already
            subscriber.live = True
            while True:
                if self._closed:
                    raise FeedClosed
                if subscriber.overflowed:
                    raise SubscriberTooSlow
                event = await subscriber.queue.get()
                if event is None:
                    raise FeedClosed
                if seen(event):
                    continue
                yield event
        finally:
            self._subscribers.discard(subscriber)

    async def _run(self) -> None:
        timeout = self.settings.poll_seconds
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)
            self._wake.clear()
            if self._closed:
                return
            try:
                if not self.database.is_sqlite and self._listener_lost():
                    await self._listen()
                if not self._subscribers:
                    self._idle = True
                    timeout = self.settings.poll_seconds
                    continue
                await self._resume()
                await self._catch_up()
            except (OSError, asyncpg.PostgresError, ConnectionError) as error:
                log.warning("event feed could not read the log (%s); retrying", error)
                timeout = self.settings.poll_seconds
                continue
            assert self._position is not None
            behind = self._notified_transaction > self._position.transaction_id
            timeout = self.settings.retry_seconds if behind else self.settings.poll_seconds

    async def _resume(self) -> None:
        """An idle feed moves to the log's end before it serves anyone: what committed while
        nobody listened is history, which a subscriber asks for with a position."""
        async with self._reading:
            if self._idle:
                async with self.database.reader() as reader:
                    self._position = await log_end(reader)
                self._idle = False

    async def _catch_up(self) -> None:
        async with self._reading:
            assert self._position is not None
            while True:
                async with self.database.reader() as reader:
                    rows = await read_log(reader, self._position, self.settings.batch_size)
                for row in rows:
                    self._dispatch(row)
                if rows:
                    self._position = LogPosition.of(rows[-1])
                if len(rows) < self.settings.batch_size:
                    return

    def _dispatch(self, event: Event) -> None:
        for subscriber in self._subscribers:
            if subscriber.overflowed or not subscriber.wants(event):
                continue
            try:
                subscriber.queue.put_nowait(event)
            except asyncio.QueueFull:
                subscriber.overflowed = True

    async def _listen(self) -> None:
        await self._close_listener()
        url = self.database.engine.url.set(drivername="postgresql")
        self._listener = await asyncpg.connect(url.render_as_string(hide_password=False))
        await self._listener.add_listener(CHANNEL, self._notified)
        # Commits between the last read and LISTEN taking effect sent nothing to us: read now.
        self.wake()

    def _notified(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        transaction = whole_number(payload)
        if transaction is not None:
            self._notified_transaction = max(self._notified_transaction, transaction)
        self.wake()

    def _listener_lost(self) -> bool:
        return self._listener is None or self._listener.is_closed()

    async def _close_listener(self) -> None:
        if self._listener is not None and not self._listener.is_closed():
            with contextlib.suppress(OSError, asyncpg.PostgresError):
                await self._listener.close(timeout=2)
        self._listener = None
