from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from api.auth import SYSTEM_ACTOR
from api.db import Database
from api.dbtypes import utcnow
from api.errors import IllegalTransition, InvalidInput, NotFound
from api.events.models import Event, EventType
from api.inventory import ledger, queries, service, transfers
from api.inventory.errors import InsufficientStock, StaleVersion
from api.inventory.models import AdjustmentReason, InventoryLevel, InventoryMovement
from api.inventory.rules import InventoryState
from api.inventory.statuses import InventoryBucket, TransferStatus
from api.locations.models import Location
from tests.factories import inventory_received, make_location, make_product, receive


@pytest.fixture
async def berlin(database: Database) -> Location:
    await make_product(database, "SKU-1", "SKU-2")
    return await make_location(database, "BER")


async def ledger_totals(database: Database, location: Location, sku_id: int) -> dict[str, int]:
    async with database.session() as session:
        rows = await session.execute(
            select(InventoryMovement.bucket, func.sum(InventoryMovement.quantity))
            .where(InventoryMovement.location_id == location.id, InventoryMovement.sku_id == sku_id)
            .group_by(InventoryMovement.bucket)
        )
        return {bucket: int(total) for bucket, total in rows.all()}


async def assert_ledger_matches(database: Database, level: InventoryLevel) -> None:
    async with database.session() as session:
        location = await session.get(Location, level.location_id)
        current = await session.get(InventoryLevel, level.id)
    assert location is not None and current is not None
    totals = await ledger_totals(database, location, level.sku_id)
    for bucket in InventoryBucket:
        assert getattr(current, bucket.value) == totals.get(bucket.value, 0), bucket


async def event_types(database: Database) -> list[str]:
    async with database.session() as session:
        return list((await session.execute(select(Event.type).order_by(Event.id))).scalars())


async def test_receive_adds_on_hand_with_a_ledger_row_and_an_event(
    database: Database, berlin: Location
) -> None:
    level = await receive(database, berlin, "SKU-1", 10)
    level = await receive(database, berlin, "SKU-1", 5)
    assert (level.on_hand, level.available, level.version) == (15, 15, 2)
    await assert_ledger_matches(database, level)
    assert (await event_types(database)).count(EventType.INVENTORY_RECEIVED) == 2


async def test_receive_refuses_unknown_sku_and_location_and_writes_nothing(
    database: Database, berlin: Location
) -> None:
    before = await event_types(database)
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        with pytest.raises(NotFound) as unknown_sku:
            await service.receive_inventory(uow, location_id=berlin.id, sku_code="NOPE", quantity=1)
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        with pytest.raises(NotFound) as unknown_location:
            await service.receive_inventory(uow, location_id=9999, sku_code="SKU-1", quantity=1)
    assert unknown_sku.value.field == ["sku"]
    assert unknown_location.value.field == ["locationId"]
    assert await event_types(database) == before


@pytest.mark.parametrize("quantity", [0, -3, 1_000_001])
async def test_receive_refuses_quantities_out_of_range(
    database: Database, berlin: Location, quantity: int
) -> None:
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        with pytest.raises(InvalidInput):
            await service.receive_inventory(
                uow, location_id=berlin.id, sku_code="SKU-1", quantity=quantity
            )


async def test_adjust_below_zero_is_insufficient_stock_and_changes_nothing(
    database: Database, berlin: Location
) -> None:
    level = await receive(database, berlin, "SKU-1", 3)
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        with pytest.raises(InsufficientStock) as refused:
            await service.adjust_inventory(
                uow,
                location_id=berlin.id,
                sku_code="SKU-1",
                delta=-4,
                reason=AdjustmentReason.SHRINKAGE,
            )
    assert (refused.value.data["requested"], refused.value.data["available"]) == (4, 3)
    async with database.session() as session:
        current = await session.get(InventoryLevel, level.id)
    assert current is not None and current.on_hand == 3
    await assert_ledger_matches(database, level)


async def test_adjust_with_stale_expected_on_hand_is_refused(
    database: Database, berlin: Location
) -> None:
    await receive(database, berlin, "SKU-1", 10)
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        with pytest.raises(StaleVersion) as stale:
            await service.adjust_inventory(
                uow,
                location_id=berlin.id,
                sku_code="SKU-1",
                delta=-1,
                reason=AdjustmentReason.CYCLE_COUNT,
                expected_on_hand=9,
            )
    assert stale.value.data == {"expected": 9, "actual": 10}
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        level = await service.adjust_inventory(
            uow,
            location_id=berlin.id,
            sku_code="SKU-1",
            delta=-1,
            reason=AdjustmentReason.CYCLE_COUNT,
            expected_on_hand=10,
        )
    assert level.on_hand == 9


async def test_adjust_zero_delta_is_invalid(database: Database, berlin: Location) -> None:
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        with pytest.raises(InvalidInput):
            await service.adjust_inventory(
                uow,
                location_id=berlin.id,
                sku_code="SKU-1",
                delta=0,
                reason=AdjustmentReason.CORRECTION,
            )


async def test_safety_stock_lowers_available_but_not_on_hand(
    database: Database, berlin: Location
) -> None:
    await receive(database, berlin, "SKU-1", 10)
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        level = await service.set_safety_stock(
            uow, location_id=berlin.id, sku_code="SKU-1", quantity=4
        )
    assert (level.on_hand, level.safety_stock, level.available) == (10, 4, 6)
    async with database.session() as session:
        below = await session.execute(queries.inventory_levels_query(below_safety_stock=True))
        above = await session.execute(queries.inventory_levels_query(below_safety_stock=False))
    assert below.scalars().all() == []
    assert [row.id for row in above.scalars()] == [level.id]


async def test_move_to_damaged_and_back_keeps_the_ledger_true(
    database: Database, berlin: Location
) -> None:
    await receive(database, berlin, "SKU-1", 10)
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        level = await service.move_inventory_state(
            uow,
            location_id=berlin.id,
            sku_code="SKU-1",
            quantity=3,
            source=InventoryState.AVAILABLE,
            target=InventoryState.DAMAGED,
        )
    assert (level.on_hand, level.damaged) == (7, 3)
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        level = await service.move_inventory_state(
            uow,
            location_id=berlin.id,
            sku_code="SKU-1",
            quantity=2,
            source=InventoryState.DAMAGED,
            target=InventoryState.QUALITY_CONTROL,
        )
    assert (level.on_hand, level.damaged, level.quality_control) == (7, 1, 2)
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        with pytest.raises(InsufficientStock) as refused:
            await service.move_inventory_state(
                uow,
                location_id=berlin.id,
                sku_code="SKU-1",
                quantity=3,
                source=InventoryState.QUALITY_CONTROL,
                target=InventoryState.AVAILABLE,
            )
    assert refused.value.data["available"] == 2
    await assert_ledger_matches(database, level)


async def test_move_between_the_same_state_is_invalid(database: Database, berlin: Location) -> None:
    await receive(database, berlin, "SKU-1", 10)
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        with pytest.raises(InvalidInput):
            await service.move_inventory_state(
                uow,
                location_id=berlin.id,
                sku_code="SKU-1",
                quantity=1,
                source=InventoryState.DAMAGED,
                target=InventoryState.DAMAGED,
            )


async def with_units_missing(database: Database, location: Location, missing: int) -> None:
    """Ten units of SKU-1 received, ``missing`` of them not found by a picker."""
    await receive(database, location, "SKU-1", 10)
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        await service.move_inventory_state(
            uow,
            location_id=location.id,
            sku_code="SKU-1",
            quantity=missing,
            source=InventoryState.AVAILABLE,
            target=InventoryState.DISCREPANCY,
        )


async def test_a_count_settles_a_discrepancy_found_back_on_hand_and_lost_written_off(
    database: Database, berlin: Location
) -> None:
    await with_units_missing(database, berlin, 4)
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        level = await service.settle_discrepancy(
            uow, location_id=berlin.id, sku_code="SKU-1", found=1, lost=2, note="count 12"
        )
    assert (level.on_hand, level.discrepancy, level.available) == (7, 1, 7)
    await assert_ledger_matches(database, level)
    assert (await event_types(database))[-1] == EventType.DISCREPANCY_SETTLED
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        level = await service.settle_discrepancy(
            uow, location_id=berlin.id, sku_code="SKU-1", found=0, lost=1
        )
    assert (level.on_hand, level.discrepancy) == (7, 0)
    await assert_ledger_matches(database, level)


@pytest.mark.parametrize(("found", "lost"), [(0, 0), (-1, 2), (2, 0)])
async def test_a_settlement_beyond_the_discrepancy_or_of_nothing_is_refused_and_writes_nothing(
    database: Database, berlin: Location, found: int, lost: int
) -> None:
    await with_units_missing(database, berlin, 1)
    before = await event_types(database)
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        with pytest.raises(InvalidInput):
            await service.settle_discrepancy(
                uow, location_id=berlin.id, sku_code="SKU-1", found=found, lost=lost
            )
    assert await event_types(database) == before
    async with database.session() as session:
        level = (await session.execute(select(InventoryLevel))).scalar_one()
    assert (level.on_hand, level.discrepancy) == (9, 1)


async def test_transfer_moves_stock_to_incoming_then_on_hand_in_parts(
    database: Database, berlin: Location
) -> None:
    hamburg = await make_location(database, "HAM")
    await receive(database, berlin, "SKU-1", 10)
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        transfer = await transfers.transfer_inventory(
            uow, from_location_id=berlin.id, to_location_id=hamburg.id, sku_code="SKU-1", quantity=6
        )
    async with database.session() as session:
        levels = {
            level.location_id: level
            for level in await queries.levels_for_sku(session, transfer.sku_id)
        }
    assert (levels[berlin.id].on_hand, levels[hamburg.id].incoming) == (4, 6)

    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        partial = await transfers.receive_transfer(uow, transfer_id=transfer.id, quantity=2)
    assert (partial.received_quantity, partial.status) == (2, TransferStatus.IN_TRANSIT)
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        with pytest.raises(InvalidInput):
            await transfers.receive_transfer(uow, transfer_id=transfer.id, quantity=5)
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        done = await transfers.receive_transfer(uow, transfer_id=transfer.id)
    assert (done.received_quantity, done.status) == (6, TransferStatus.RECEIVED)
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        with pytest.raises(IllegalTransition):
            await transfers.receive_transfer(uow, transfer_id=transfer.id)

    async with database.session() as session:
        levels = {
            level.location_id: level
            for level in await queries.levels_for_sku(session, transfer.sku_id)
        }
    assert (levels[hamburg.id].on_hand, levels[hamburg.id].incoming) == (6, 0)
    for level in levels.values():
        await assert_ledger_matches(database, level)


async def test_transfer_refuses_more_than_is_free_and_the_same_location(
    database: Database, berlin: Location
) -> None:
    hamburg = await make_location(database, "HAM")
    await receive(database, berlin, "SKU-1", 2)
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        with pytest.raises(InsufficientStock):
            await transfers.transfer_inventory(
                uow,
                from_location_id=berlin.id,
                to_location_id=hamburg.id,
                sku_code="SKU-1",
                quantity=3,
            )
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        with pytest.raises(InvalidInput):
            await transfers.transfer_inventory(
                uow,
                from_location_id=berlin.id,
                to_location_id=berlin.id,
                sku_code="SKU-1",
                quantity=1,
            )


async def test_level_at_a_past_moment_comes_from_the_ledger(
    database: Database, berlin: Location
) -> None:
    level = await receive(database, berlin, "SKU-1", 10)
    between = utcnow()
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        await service.adjust_inventory(
            uow,
            location_id=berlin.id,
            sku_code="SKU-1",
            delta=-4,
            reason=AdjustmentReason.SHRINKAGE,
        )
    async with database.session() as session:
        sku = (
            await session.execute(select(InventoryLevel).where(InventoryLevel.id == level.id))
        ).scalar_one()
        from api.catalog.models import Sku

        sku_row = await session.get(Sku, sku.sku_id)
        assert sku_row is not None
        before = await queries.inventory_level_at(
            session, location_id=berlin.id, sku=sku_row, at=between - timedelta(days=1)
        )
        middle = await queries.inventory_level_at(
            session, location_id=berlin.id, sku=sku_row, at=between
        )
        now = await queries.inventory_level_at(
            session, location_id=berlin.id, sku=sku_row, at=utcnow()
        )
    assert (before.on_hand, middle.on_hand, now.on_hand) == (0, 10, 6)


async def test_a_command_that_fails_midway_leaves_no_row_and_no_event(
    database: Database, berlin: Location
) -> None:
    before = await event_types(database)
    with pytest.raises(RuntimeError):
        async with database.unit_of_work(SYSTEM_ACTOR) as uow:
            uow.record(inventory_received(1))
            await ledger.ensure_level(uow, berlin.id, 1)  # a command stopped halfway
            raise RuntimeError("crash between writes")
    assert await event_types(database) == before
    async with database.session() as session:
        assert (
            await session.execute(select(func.count()).select_from(InventoryLevel))
        ).scalar_one() == 0
