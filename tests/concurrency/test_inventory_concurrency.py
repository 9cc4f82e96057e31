"""PostgreSQL, real parallel connections: the ledger and compare-and-swap hold under contention."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest
from sqlalchemy import func, select

from api.db import Database
from api.errors import DomainError
from api.events.log import START, LogPosition, read_log
from api.events.models import Event
from api.inventory import service, transfers
from api.inventory.errors import InsufficientStock, StaleVersion
from api.inventory.models import AdjustmentReason, InventoryLevel, InventoryMovement
from api.inventory.statuses import InventoryBucket
from api.kpis import projection as kpi_projection
from api.kpis.models import KpiStockDay
from api.locations.models import Location
from api.reads import columns
from tests.factories import make_location, make_product, receive

pytestmark = pytest.mark.postgresql
PARALLEL = 50


@pytest.fixture
async def stocked(pg_database: Database) -> Location:
    await make_product(pg_database, "SKU-1")
    location = await make_location(pg_database, "BER")
    await make_location(pg_database, "HAM")
    await receive(pg_database, location, "SKU-1", 100)
    return location


async def level_and_ledger(database: Database, location_id: int) -> tuple[InventoryLevel, int]:
    async with database.session() as session:
        level = (
            await session.execute(
                select(InventoryLevel).where(InventoryLevel.location_id == location_id)
            )
        ).scalar_one()
        ledger = (
            await session.execute(
                select(func.coalesce(func.sum(InventoryMovement.quantity), 0)).where(
                    InventoryMovement.location_id == location_id,
                    InventoryMovement.bucket == InventoryBucket.ON_HAND.value,
                )
            )
        ).scalar_one()
    return level, int(ledger)


async def adjust(
    database: Database, location: Location, delta: int, expected: int | None = None
) -> object:
    async with database.unit_of_work("test") as uow:
        try:
            return await service.adjust_inventory(
                uow,
                location_id=location.id,
                sku_code="SKU-1",
                delta=delta,
                reason=AdjustmentReason.CYCLE_COUNT,
                expected_on_hand=expected,
            )
        except DomainError as error:
            return error


async def test_parallel_adjustments_keep_on_hand_equal_to_the_ledger(
    pg_database: Database, stocked: Location
) -> None:
    rng = random.Random(7)
    deltas = [rng.choice([-9, -5, -3, 2, 4, 7]) for _ in range(PARALLEL)]
    results = await asyncio.gather(*(adjust(pg_database, stocked, delta) for delta in deltas))
    applied = [
        delta
        for delta, result in zip(deltas, results, strict=True)
        if isinstance(result, InventoryLevel)
    ]
    refused = [result for result in results if isinstance(result, DomainError)]
    assert all(isinstance(error, InsufficientStock) for error in refused)
    level, ledger = await level_and_ledger(pg_database, stocked.id)  # type: ignore[arg-type]
    assert level.on_hand == ledger == 100 + sum(applied)
    assert level.version == 1 + len(applied)
    async with pg_database.session() as session:
        events = (
            await session.execute(
                select(func.count()).select_from(Event).where(Event.type == "INVENTORY_ADJUSTED")
            )
        ).scalar_one()
    assert events == len(applied)


async def test_parallel_writes_with_the_same_expectation_let_exactly_one_through(
    pg_database: Database, stocked: Location
) -> None:
    results = await asyncio.gather(
        *(adjust(pg_database, stocked, -1, expected=100) for _ in range(PARALLEL))
    )
    successes = [result for result in results if isinstance(result, InventoryLevel)]
    stale = [result for result in results if isinstance(result, StaleVersion)]
    assert (len(successes), len(stale)) == (1, PARALLEL - 1)
    level, ledger = await level_and_ledger(pg_database, stocked.id)  # type: ignore[arg-type]
    assert level.on_hand == ledger == 99


async def test_parallel_draining_never_goes_below_zero(
    pg_database: Database, stocked: Location
) -> None:
    results = await asyncio.gather(*(adjust(pg_database, stocked, -3) for _ in range(PARALLEL)))
    succeeded = sum(isinstance(result, InventoryLevel) for result in results)
    assert succeeded == 33
    level, ledger = await level_and_ledger(pg_database, stocked.id)  # type: ignore[arg-type]
    assert level.on_hand == ledger == 1


async def test_parallel_transfers_take_no_more_than_is_there(
    pg_database: Database, stocked: Location
) -> None:
    async with pg_database.session() as session:
        hamburg = (
            await session.execute(select(Location).where(Location.code == "HAM"))
        ).scalar_one()

    async def transfer() -> object:
        async with pg_database.unit_of_work("test") as uow:
            try:
                return await transfers.transfer_inventory(
                    uow,
                    from_location_id=stocked.id,
                    to_location_id=hamburg.id,
                    sku_code="SKU-1",
                    quantity=7,
                )
            except DomainError as error:
                return error

    results = await asyncio.gather(*(transfer() for _ in range(PARALLEL)))
    moved = sum(7 for result in results if not isinstance(result, DomainError))
    assert moved == 98
    source, source_ledger = await level_and_ledger(pg_database, stocked.id)  # type: ignore[arg-type]
    target, _ = await level_and_ledger(pg_database, hamburg.id)  # type: ignore[arg-type]
    assert (source.on_hand, source_ledger, target.incoming) == (2, 2, 98)


async def test_a_reader_following_the_event_log_misses_no_event_of_a_late_commit(
    pg_database: Database, stocked: Location
) -> None:
    """A reader that polls the log from the last position it saw misses nothing, even when the
    transaction holding the lower event id commits after a later one."""
    seen: list[int] = []
    stop = asyncio.Event()
    stalled = asyncio.Event()

    async with pg_database.reader() as reader:
        start = await read_log(reader, limit=1_000_000)
    position = LogPosition.of(start[-1]) if start else START

    async def poll() -> None:
        nonlocal position
        while not stop.is_set():
            async with pg_database.reader() as reader:
                events = await read_log(reader, position)
            seen.extend(event.id for event in events)  # type: ignore[misc]
            position = LogPosition.of(events[-1]) if events else position
            await asyncio.sleep(0.01)

    follower = asyncio.create_task(poll())
    slow = asyncio.create_task(
        adjust_then_stall(pg_database, stocked, 1, stalled, asyncio.sleep(0.5))
    )
    await stalled.wait()
    async with pg_database.session() as session:
        hamburg = (
            await session.execute(select(Location).where(Location.code == "HAM"))
        ).scalar_one()
    await receive(pg_database, hamburg, "SKU-1", 1)  # another row: no row lock orders the two
    async with pg_database.reader() as reader:
        # committed, but behind a transaction still running: not in the log yet
        assert await read_log(reader, position) == []
    await slow
    await asyncio.sleep(0.1)
    stop.set()
    await follower
    async with pg_database.session() as session:
        written = list(
            (await session.execute(select(Event.id).order_by(Event.id.desc()).limit(2))).scalars()
        )
    # seen once each, in log order; the log only grew past what the reader had seen
    assert seen == sorted(written)


async def test_parallel_requests_with_one_idempotency_key_receive_once(
    pg_database: Database, stocked: Location
) -> None:
    async def receive_once() -> InventoryLevel:
        async with pg_database.unit_of_work("api_key:7") as uow:
            return await service.receive_inventory(
                uow, location_id=stocked.id, sku_code="SKU-1", quantity=5, idempotency_key="po-42"
            )

    results = await asyncio.gather(*(receive_once() for _ in range(PARALLEL)))
    assert {result.on_hand for result in results} == {105}
    level, ledger = await level_and_ledger(pg_database, stocked.id)  # type: ignore[arg-type]
    assert level.on_hand == ledger == 105


async def test_the_kpi_days_count_each_movement_once_whatever_the_commit_order(
    pg_database: Database, stocked: Location
) -> None:
    """The ledger is summed into days in batches: a movement whose transaction commits after a
    later one's is added once, neither skipped nor added twice."""
    await kpi_projection.catch_up(pg_database)
    stalled, release = asyncio.Event(), asyncio.Event()
    slow = asyncio.create_task(adjust_then_stall(pg_database, stocked, 3, stalled, release.wait()))
    await stalled.wait()
    async with pg_database.session() as session:
        hamburg = (
            await session.execute(select(Location).where(Location.code == "HAM"))
        ).scalar_one()
    await receive(pg_database, hamburg, "SKU-1", 5)
    await asyncio.gather(*(kpi_projection.catch_up(pg_database) for _ in range(3)))
    assert await days_on_hand(pg_database) == {stocked.id: 100}, "held back behind the slow one"
    release.set()
    await slow
    await asyncio.gather(*(kpi_projection.catch_up(pg_database) for _ in range(3)))
    assert await days_on_hand(pg_database) == {stocked.id: 103, hamburg.id: 5}


async def days_on_hand(database: Database) -> dict[int, int]:
    day = columns(KpiStockDay)
    async with database.reader() as reader:
        rows = await reader.execute(
            select(day.location_id, func.sum(day.on_hand_change)).group_by(day.location_id)
        )
    return {location_id: int(total) for location_id, total in rows.all()}


async def adjust_then_stall(
    database: Database, location: Location, delta: int, stalled: asyncio.Event, stall: Any
) -> None:
    """Adjusts SKU-1 at ``location`` in a transaction that, its rows and events written, sets
    ``stalled`` and waits for ``stall`` before it commits."""
    async with database.unit_of_work("slow") as uow:
        write_events = uow._write_events

        async def write_then_stall() -> None:
            await write_events()
            stalled.set()
            await stall

        uow._write_events = write_then_stall  # type: ignore[method-assign]
        await service.adjust_inventory(
            uow, location_id=location.id, sku_code="SKU-1", delta=delta,
            reason=AdjustmentReason.FOUND,
        )  # fmt: skip
