"""Stock commands at one location. Each one is a single conditional UPDATE of the level (never
read-then-write), its ledger movements, and one event, committed together."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlmodel import col

from api import validation
from api.db import UnitOfWork
from api.dbtypes import utcnow
from api.errors import InvalidInput, NotFound
from api.events import reactions
from api.idempotency import service as idempotency
from api.inventory import ledger
from api.inventory.events import (
    BinAssigned,
    DiscrepancySettled,
    InventoryAdjusted,
    InventoryReceived,
    InventoryStateMoved,
    LevelSnapshot,
    SafetyStockSet,
)
from api.inventory.facts import StockArrived
from api.inventory.models import AdjustmentReason, InventoryLevel, MovementKind
from api.inventory.rules import InventoryState, state_move
from api.inventory.statuses import InventoryBucket
from api.locations.models import Bin

Level = InventoryLevel


async def receive_inventory(
    uow: UnitOfWork,
    *,
    location_id: int,
    sku_code: str,
    quantity: int,
    reference: str | None = None,
    expected_on_hand: int | None = None,
    idempotency_key: str | None = None,
) -> InventoryLevel:
    """Adds received stock to on_hand; a replayed idempotency key returns the first result."""
    quantity = validation.positive_quantity(quantity)
    reference = validation.optional_text(reference, "reference")
    if idempotency_key is not None:
        request = {
            "locationId": location_id,
            "sku": sku_code,
            "quantity": quantity,
            "reference": reference,
            "expectedOnHand": expected_on_hand,
        }
        claimed = await idempotency.claim(
            uow, key=idempotency_key, operation="receiveInventory", request=request
        )
        if claimed.replay is not None:
            return InventoryLevel.model_validate(claimed.replay["level"])
    await ledger.find_location(uow, location_id)
    sku = await ledger.find_sku(uow, sku_code)
    assert sku.id is not None
    await ledger.ensure_level(uow, location_id, sku.id)
    deltas = {InventoryBucket.ON_HAND: quantity}
    level = await ledger.change_level(
        uow, location_id, sku.id, deltas, *ledger.on_hand_matches(expected_on_hand)
    )
    if level is None:
        raise await ledger.refusal(uow, location_id, sku, quantity, expected_on_hand)
    await ledger.record_movements(uow, level, deltas, MovementKind.RECEIPT, reference=reference)
    if any(await reactions.announce(uow, StockArrived(level, sku.code))):
        level = await ledger.current_level(uow, location_id, sku.id) or level
    uow.record(
        InventoryReceived(
            level=LevelSnapshot.of(level, sku), quantity=quantity, reference=reference
        )
    )
    if idempotency_key is not None:
        await idempotency.remember(
            uow, key=idempotency_key, response={"level": level.model_dump(mode="json")}
        )
    await uow.commit()
    return level


async def adjust_inventory(
    uow: UnitOfWork,
    *,
    location_id: int,
    sku_code: str,
    delta: int,
    reason: AdjustmentReason,
    expected_on_hand: int | None = None,
    note: str | None = None,
) -> InventoryLevel:
    if delta == 0 or abs(delta) > validation.MAX_QUANTITY:
        raise InvalidInput(
            f"delta must be non-zero and at most {validation.MAX_QUANTITY} either way",
            field=["delta"],
        )
    note = validation.optional_text(note, "note")
    await ledger.find_location(uow, location_id)
    sku = await ledger.find_sku(uow, sku_code)
    assert sku.id is not None
    await ledger.ensure_level(uow, location_id, sku.id)
    deltas = {InventoryBucket.ON_HAND: delta}
    level = await ledger.change_level(
        uow,
        location_id,
        sku.id,
        deltas,
        col(Level.on_hand) + delta >= col(Level.reserved),
        *ledger.on_hand_matches(expected_on_hand),
    )
    if level is None:
        raise await ledger.refusal(uow, location_id, sku, -delta, expected_on_hand)
    await ledger.record_movements(
        uow, level, deltas, MovementKind.ADJUSTMENT, reason=reason.value, reference=note
    )
    uow.record(
        InventoryAdjusted(
            level=LevelSnapshot.of(level, sku), delta=delta, reason=reason.value, note=note
        )
    )
    await uow.commit()
    return level


async def settle_discrepancy(
    uow: UnitOfWork,
    *,
    location_id: int,
    sku_code: str,
    found: int,
    lost: int,
    note: str | None = None,
) -> InventoryLevel:
    """A count settles units a picker did not find: those found go back on the shelf (on hand,
    sellable again), those not found are written off; both leave the discrepancy."""
    found = validation.non_negative(found, "found", maximum=validation.MAX_QUANTITY)
    lost = validation.non_negative(lost, "lost", maximum=validation.MAX_QUANTITY)
    if found + lost == 0:
        raise InvalidInput("a settlement counts units found or lost", field=["found"])
    note = validation.optional_text(note, "note")
    await ledger.find_location(uow, location_id)
    sku = await ledger.find_sku(uow, sku_code)
    assert sku.id is not None
    settled = found + lost
    deltas = {InventoryBucket.DISCREPANCY: -settled}
    if found:
        deltas[InventoryBucket.ON_HAND] = found
    level = await ledger.change_level(
        uow, location_id, sku.id, deltas, col(Level.discrepancy) >= settled
    )
    if level is None:
        current = await ledger.current_level(uow, location_id, sku.id)
        missing = current.discrepancy if current else 0
        raise InvalidInput(
            f"{missing} of {sku.code} are missing here; {settled} cannot be settled",
            field=["found"],
        )
    await ledger.record_movements(
        uow, level, deltas, MovementKind.DISCREPANCY_SETTLED, reference=note
    )
    uow.record(
        DiscrepancySettled(level=LevelSnapshot.of(level, sku), found=found, lost=lost, note=note)
    )
    await uow.commit()
    return level


async def set_safety_stock(
    uow: UnitOfWork, *, location_id: int, sku_code: str, quantity: int
) -> InventoryLevel:
    quantity = validation.non_negative(quantity, "quantity", maximum=validation.MAX_QUANTITY)
    await ledger.find_location(uow, location_id)
    sku = await ledger.find_sku(uow, sku_code)
    assert sku.id is not None
    await ledger.ensure_level(uow, location_id, sku.id)
    result = await uow.session.execute(
        update(InventoryLevel)
        .where(col(Level.location_id) == location_id, col(Level.sku_id) == sku.id)
        .values(safety_stock=quantity, version=col(Level.version) + 1, updated_at=utcnow())
        .returning(InventoryLevel)
        .execution_options(populate_existing=True, synchronize_session=False)
    )
    level = result.scalars().one()
    uow.record(SafetyStockSet(level=LevelSnapshot.of(level, sku), safety_stock=quantity))
    await uow.commit()
    return level


async def assign_bin(
    uow: UnitOfWork, *, location_id: int, sku_code: str, bin_code: str
) -> InventoryLevel:
    """Where pickers find the SKU at this location."""
    await ledger.find_location(uow, location_id)
    sku = await ledger.find_sku(uow, sku_code)
    assert sku.id is not None
    bin_id = (
        await uow.session.execute(
            select(col(Bin.id)).where(
                col(Bin.location_id) == location_id, col(Bin.code) == bin_code.strip()
            )
        )
    ).scalar_one_or_none()
    if bin_id is None:
        raise NotFound("bin at this location", bin_code, field=["bin"])
    await ledger.ensure_level(uow, location_id, sku.id)
    result = await uow.session.execute(
        update(InventoryLevel)
        .where(col(Level.location_id) == location_id, col(Level.sku_id) == sku.id)
        .values(bin_id=bin_id, version=col(Level.version) + 1, updated_at=utcnow())
        .returning(InventoryLevel)
        .execution_options(populate_existing=True, synchronize_session=False)
    )
    level = result.scalars().one()
    uow.record(BinAssigned(level=LevelSnapshot.of(level, sku), bin=bin_code.strip()))
    await uow.commit()
    return level


async def move_inventory_state(
    uow: UnitOfWork,
    *,
    location_id: int,
    sku_code: str,
    quantity: int,
    source: InventoryState,
    target: InventoryState,
    reason: str | None = None,
    expected_on_hand: int | None = None,
) -> InventoryLevel:
    quantity = validation.positive_quantity(quantity)
    deltas = state_move(source, target, quantity)
    reason = validation.optional_text(reason, "reason")
    await ledger.find_location(uow, location_id)
    sku = await ledger.find_sku(uow, sku_code)
    assert sku.id is not None
    source_bucket = next(bucket for bucket, delta in deltas.items() if delta < 0)
    if source is InventoryState.AVAILABLE:
        guard = col(Level.on_hand) - col(Level.reserved) >= quantity
        held = ledger.free_on_hand
    else:
        guard = getattr(Level, source_bucket.value) >= quantity

        def held(level: InventoryLevel) -> int:
            return int(getattr(level, source_bucket.value))

    level = await ledger.change_level(
        uow, location_id, sku.id, deltas, guard, *ledger.on_hand_matches(expected_on_hand)
    )
    if level is None:
        raise await ledger.refusal(uow, location_id, sku, quantity, expected_on_hand, held)
    await ledger.record_movements(uow, level, deltas, MovementKind.STATE_MOVE, reference=reason)
    uow.record(
        InventoryStateMoved(
            level=LevelSnapshot.of(level, sku),
            quantity=quantity,
            source=source.value,
            target=target.value,
            reason=reason,
        )
    )
    await uow.commit()
    return level
