"""The event feed: live delivery, resuming from a position, bounded queues, cross-process wake-ups."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from api.auth import SYSTEM_ACTOR
from api.db import Database
from api.events.feed import EventFeed, FeedClosed, FeedSettings, SubscriberTooSlow
from api.events.log import LogPosition, read_log
from api.events.models import Event
from api.events.topics import order_id_of
from api.fulfilment.events import ShipmentShipped
from tests.conftest import StatementCounter
from tests.factories import channel_created, commit_events, order_held

QUIET = FeedSettings(poll_seconds=30)
"""A poll far slower than any test: what arrives in time was woken by a commit."""


def everything(_: Event) -> bool:
    return True


async def take(events: AsyncIterator[Event], count: int, within: float = 5) -> list[int]:
    async def collect() -> list[int]:
        return [(await anext(events)).aggregate_id for _ in range(count)]

    return await asyncio.wait_for(collect(), within)


async def live(feed: EventFeed, count: int = 1) -> None:
    """Waits until ``count`` subscribers are past their starting point."""
    for _ in range(500):
        if feed.subscriber_count >= count:
            return
        await asyncio.sleep(0.01)
    raise TimeoutError(f"{count} subscribers not live in time")


@pytest.fixture
async def feed(database: Database) -> AsyncIterator[EventFeed]:
    started = EventFeed(database, QUIET)
    await started.start()
    yield started
    await started.stop()


async def test_a_subscriber_gets_each_committed_event_once_in_order(
    database: Database, feed: EventFeed
) -> None:
    await commit_events(database, 1)
    await asyncio.sleep(0.1)  # the feed has read it: it is history, not news
    events = feed.follow(everything)
    first = asyncio.create_task(take(events, 3))
    await live(feed)
    await commit_events(database, 2, 3, 4)
    assert await first == [2, 3, 4]
    await events.aclose()  # type: ignore[attr-defined]


async def test_a_subscriber_without_a_position_starts_at_its_subscription(
    database: Database, feed: EventFeed
) -> None:
    database.events_committed.remove(feed.wake)  # the feed has not read this commit yet
    await commit_events(database, 1)
    database.events_committed.append(feed.wake)
    events = feed.follow(everything)
    first = asyncio.create_task(take(events, 1))
    await live(feed)
    await commit_events(database, 2)
    assert await first == [2]
    await events.aclose()  # type: ignore[attr-defined]


async def test_a_filter_keeps_what_the_subscriber_wants(
    database: Database, feed: EventFeed
) -> None:
    events = feed.follow(lambda event: event.aggregate_id % 2 == 0)
    evens = asyncio.create_task(take(events, 2))
    await live(feed)
    await commit_events(database, 1, 2, 3, 4)
    assert await evens == [2, 4]
    await events.aclose()  # type: ignore[attr-defined]


async def test_resuming_replays_what_was_missed_then_continues_live_without_a_seam(
    database: Database, feed: EventFeed
) -> None:
    await commit_events(database, 1, 2)
    async with database.reader() as reader:
        seen = await read_log(reader)
    cursor = LogPosition.of(seen[-1])
    await commit_events(database, 3, 4, 5, 6, 7)  # missed while away

    events = feed.follow(everything, cursor)
    missed = await take(events, 5)
    assert missed == [3, 4, 5, 6, 7]
    later = asyncio.create_task(take(events, 2))
    await live(feed)
    await commit_events(database, 8, 9)
    assert await later == [8, 9]
    await events.aclose()  # type: ignore[attr-defined]


async def test_events_committed_during_the_replay_come_exactly_once(
    database: Database, feed: EventFeed
) -> None:
    async with database.reader() as reader:
        start = (await read_log(reader))[-1:]
    cursor = LogPosition.of(start[0]) if start else LogPosition(-1, 0)
    await commit_events(database, *range(1, 21))
    events = feed.follow(everything, cursor)
    received: list[int] = []

    async def consume() -> None:
        async for event in events:
            received.append(event.aggregate_id)
            if len(received) == 3:
                await commit_events(database, *range(21, 31))  # lands in the live queue mid-replay
            if len(received) == 30:
                return

    await asyncio.wait_for(consume(), 10)
    assert received == list(range(1, 31))
    await events.aclose()  # type: ignore[attr-defined]


async def test_a_subscriber_that_falls_behind_is_cut_off(database: Database) -> None:
    feed = EventFeed(database, FeedSettings(queue_limit=3, poll_seconds=30))
    await feed.start()
    try:
        events = feed.follow(everything)
        first = asyncio.create_task(anext(events))
        await live(feed)
        await commit_events(database, *range(1, 7))
        assert (await first).aggregate_id == 1
        await asyncio.sleep(0.2)  # the feed has handed out the rest; the queue overflowed
        with pytest.raises(SubscriberTooSlow):
            async for _ in events:
                pass
        assert feed.subscriber_count == 0
    finally:
        await feed.stop()


async def test_a_closed_subscription_leaves_nothing_behind(
    database: Database, feed: EventFeed
) -> None:
    consumer = asyncio.create_task(take(feed.follow(everything), 1, within=30))
    await live(feed)
    consumer.cancel()
    with pytest.raises(asyncio.CancelledError):
        await consumer
    assert feed.subscriber_count == 0


async def test_stopping_the_feed_tells_subscribers_to_resume_elsewhere(database: Database) -> None:
    feed = EventFeed(database, QUIET)
    await feed.start()
    events = feed.follow(everything)
    waiting = asyncio.create_task(anext(events))
    await asyncio.sleep(0.05)
    await feed.stop()
    with pytest.raises(FeedClosed):
        await waiting


@pytest.mark.postgresql
async def test_a_commit_in_another_process_wakes_the_feed(pg_database: Database) -> None:
    """Another engine stands for another worker: its commits reach this feed only through
    PostgreSQL's notification (the feed's own poll is 30 s away)."""
    other_worker = Database(str(pg_database.engine.url.render_as_string(hide_password=False)))
    feed = EventFeed(pg_database, QUIET)
    await feed.start()
    try:
        events = feed.follow(everything)
        arrived = asyncio.create_task(take(events, 2, within=3))
        await live(feed)
        await commit_events(other_worker, 41, 42)
        assert await arrived == [41, 42]
        await events.aclose()  # type: ignore[attr-defined]
    finally:
        await feed.stop()
        await other_worker.dispose()


@pytest.mark.postgresql
async def test_a_transaction_running_when_a_subscription_starts_is_news_to_it(
    pg_database: Database,
) -> None:
    feed = EventFeed(pg_database, QUIET)
    await feed.start()
    try:
        async with pg_database.unit_of_work(SYSTEM_ACTOR) as running:
            await running.session.execute(text("SELECT pg_current_xact_id()"))
            await commit_events(pg_database, 1)  # committed before the subscription: not news
            events = feed.follow(everything)
            arrived = asyncio.create_task(take(events, 1, within=5))
            await live(feed)
            running.record(channel_created(2))
            await running.commit()
        assert await arrived == [2]
        await events.aclose()  # type: ignore[attr-defined]
    finally:
        await feed.stop()


@pytest.mark.postgresql
async def test_an_event_held_back_by_an_older_transaction_arrives_once_it_commits(
    pg_database: Database,
) -> None:
    """A transaction that started earlier commits later: the later one's event waits for it
    (the log is read in commit-safe order) and both arrive, the older first."""
    feed = EventFeed(pg_database, QUIET)
    await feed.start()
    try:
        events = feed.follow(everything)
        arrived = asyncio.create_task(take(events, 2, within=5))
        await live(feed)
        async with pg_database.unit_of_work(SYSTEM_ACTOR) as older:
            await older.session.execute(text("SELECT pg_current_xact_id()"))  # takes its id now
            await commit_events(pg_database, 2)
            await asyncio.sleep(0.2)
            assert not arrived.done(), "the younger commit must wait behind the running one"
            older.record(channel_created(1))
            await older.commit()
        assert await arrived == [1, 2]
        await events.aclose()  # type: ignore[attr-defined]
    finally:
        await feed.stop()


async def test_a_follower_of_one_order_replays_that_orders_events_by_index(
    database: Database, feed: EventFeed, count_statements: StatementCounter
) -> None:
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        for order_id in range(1, 1_501):  # a busy log, in one transaction to be quick
            uow.record(order_held(order_id))
        uow.record(
            ShipmentShipped(
                shipment_id=9, order_id=700, carrier="simulated", service="standard",
                tracking_number="SP1", shipping_cost=490, captured=0,
            )
        )  # fmt: skip
        await uow.commit()
    count_statements.statements.clear()
    events = feed.follow(lambda event: order_id_of(event) == 700, LogPosition(-1, 0), order_id=700)
    replayed = [await anext(events), await anext(events)]
    await events.aclose()  # type: ignore[attr-defined]
    assert [(e.aggregate_type, e.order_id) for e in replayed] == [("order", 700), ("shipment", 700)]
    rows_read = [s for s in count_statements.statements if "event.payload" in s]
    replays = [s for s in rows_read if "event.order_id =" in s]
    assert len(replays) == 1, "one read of its events, not the log"
    assert len(rows_read) <= 2, "besides it, at most the feed's own read of what is new"
