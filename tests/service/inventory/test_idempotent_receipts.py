from __future__ import annotations

import pytest
from sqlalchemy import func, select

from api.db import Database
from api.errors import IdempotencyConflict, InvalidInput
from api.events.models import Event
from api.inventory import service, transfers
from api.inventory.errors import StaleVersion
from api.inventory.models import InventoryLevel, InventoryMovement
from api.inventory.rules import InventoryState
from api.locations.models import Location
from tests.factories import make_location, make_product, receive


@pytest.fixture
async def berlin(database: Database) -> Location:
    await make_product(database, "SKU-1")
    return await make_location(database, "BER")


async def counts(database: Database) -> tuple[int, int]:
    async with database.session() as session:
        events = (await session.execute(select(func.count()).select_from(Event))).scalar_one()
        moves = (
            await session.execute(select(func.count()).select_from(InventoryMovement))
        ).scalar_one()
    return events, moves


async def receive_with_key(
    database: Database, location: Location, quantity: int, key: str, actor: str = "api_key:1"
) -> InventoryLevel:
    async with database.unit_of_work(actor) as uow:
        return await service.receive_inventory(
            uow, location_id=location.id, sku_code="SKU-1", quantity=quantity, idempotency_key=key
        )


async def test_replaying_a_key_returns_the_first_result_and_receives_nothing(
    database: Database, berlin: Location
) -> None:
    first = await receive_with_key(database, berlin, 5, "erp-receipt-1")
    after_first = await counts(database)
    await receive(database, berlin, "SKU-1", 2)  # the level moves on meanwhile
    replay = await receive_with_key(database, berlin, 5, "erp-receipt-1")
    assert (replay.id, replay.on_hand, replay.version) == (first.id, 5, first.version)
    assert replay.updated_at == first.updated_at
    async with database.session() as session:
        level = await session.get(InventoryLevel, first.id)
    assert level is not None and level.on_hand == 7
    assert await counts(database) == (after_first[0] + 1, after_first[1] + 1)


async def test_the_same_key_for_another_request_is_a_conflict(
    database: Database, berlin: Location
) -> None:
    await receive_with_key(database, berlin, 5, "erp-receipt-1")
    before = await counts(database)
    with pytest.raises(IdempotencyConflict) as conflict:
        await receive_with_key(database, berlin, 6, "erp-receipt-1")
    assert conflict.value.field == ["idempotencyKey"]
    assert await counts(database) == before


async def test_keys_belong_to_their_principal(database: Database, berlin: Location) -> None:
    await receive_with_key(database, berlin, 5, "shared-key", actor="api_key:1")
    other = await receive_with_key(database, berlin, 5, "shared-key", actor="api_key:2")
    assert other.on_hand == 10


async def test_a_refused_command_does_not_burn_its_key(
    database: Database, berlin: Location
) -> None:
    async with database.unit_of_work("api_key:1") as uow:
        with pytest.raises(StaleVersion):
            await service.receive_inventory(
                uow,
                location_id=berlin.id,
                sku_code="SKU-1",
                quantity=1,
                expected_on_hand=3,
                idempotency_key="k",
            )
    level = await receive_with_key(database, berlin, 1, "k")
    assert level.on_hand == 1


async def test_blank_or_overlong_keys_are_invalid(database: Database, berlin: Location) -> None:
    for key in ("   ", "k" * 256):
        with pytest.raises(InvalidInput):
            await receive_with_key(database, berlin, 1, key)


async def test_moves_and_transfers_honour_expected_on_hand(
    database: Database, berlin: Location
) -> None:
    hamburg = await make_location(database, "HAM")
    await receive(database, berlin, "SKU-1", 10)
    async with database.unit_of_work("test") as uow:
        with pytest.raises(StaleVersion):
            await service.move_inventory_state(
                uow,
                location_id=berlin.id,
                sku_code="SKU-1",
                quantity=1,
                source=InventoryState.AVAILABLE,
                target=InventoryState.DAMAGED,
                expected_on_hand=9,
            )
    async with database.unit_of_work("test") as uow:
        with pytest.raises(StaleVersion):
            await transfers.transfer_inventory(
                uow,
                from_location_id=berlin.id,
                to_location_id=hamburg.id,
                sku_code="SKU-1",
                quantity=1,
                expected_on_hand=11,
            )
    async with database.unit_of_work("test") as uow:
        transfer = await transfers.transfer_inventory(
            uow,
            from_location_id=berlin.id,
            to_location_id=hamburg.id,
            sku_code="SKU-1",
            quantity=4,
            expected_on_hand=10,
        )
    assert transfer.quantity == 4


async def test_a_keyed_transfer_and_its_receipt_move_stock_once(
    database: Database, berlin: Location
) -> None:
    hamburg = await make_location(database, "HAM")
    await receive(database, berlin, "SKU-1", 10)

    async def send(quantity: int) -> transfers.Transfer:
        async with database.unit_of_work("api_key:1") as uow:
            return await transfers.transfer_inventory(
                uow,
                from_location_id=berlin.id,  # type: ignore[arg-type]
                to_location_id=hamburg.id,  # type: ignore[arg-type]
                sku_code="SKU-1",
                quantity=quantity,
                idempotency_key="move-1",
            )

    async def take_in(transfer_id: int, quantity: int) -> transfers.Transfer:
        async with database.unit_of_work("api_key:1") as uow:
            return await transfers.receive_transfer(
                uow, transfer_id=transfer_id, quantity=quantity, idempotency_key="arrived-1"
            )

    sent = await send(4)
    after_sending = await counts(database)
    assert (await send(4)).id == sent.id
    assert await counts(database) == after_sending
    with pytest.raises(IdempotencyConflict):
        await send(5)
    received = await take_in(sent.id, 3)  # type: ignore[arg-type]
    after_receiving = await counts(database)
    replayed = await take_in(sent.id, 3)  # type: ignore[arg-type]
    assert (replayed.id, replayed.received_quantity) == (received.id, 3)
    assert await counts(database) == after_receiving
    with pytest.raises(IdempotencyConflict):
        await take_in(sent.id, 1)  # type: ignore[arg-type]
    async with database.session() as session:
        levels = {
            level.location_id: (level.on_hand, level.incoming)
            for level in (await session.execute(select(InventoryLevel))).scalars()
        }
    assert levels == {berlin.id: (6, 0), hamburg.id: (3, 1)}
