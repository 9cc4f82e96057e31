"""Stock commands. Each one is a single conditional UPDATE per level (never read-then-write),
its ledger movements, and one event, committed together."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col

from api import validation
from api.catalog.models import Sku
from api.db import UnitOfWork
from api.dbtypes import utcnow
from api.errors import IllegalTransition, InvalidInput, NotFound
from api.events.models import EventType
from api.idempotency import service as idempotency
from api.inventory.errors import InsufficientStock, StaleVersion
from api.inventory.models import (
    AdjustmentReason,
    InventoryBucket,
    InventoryLevel,
    InventoryMovement,
    MovementKind,
    Transfer,
    TransferStatus,
)
from api.inventory.rules import InventoryState, free_to_move, state_move
from api.locations.models import Location

Level = InventoryLevel


async def _location(uow: UnitOfWork, location_id: int, field: str = "locationId") -> Location:
    location = await uow.session.get(Location, location_id)
    if location is None:
        raise NotFound("location", location_id, field=[field])
    return location


async def _sku(uow: UnitOfWork, code: str) -> Sku:
    sku = (await uow.session.execute(select(Sku).where(col(Sku.code) == code))).scalars().first()
    if sku is None:
        raise NotFound("SKU", code, field=["sku"])
    return sku


async def _ensure_level(uow: UnitOfWork, location_id: int, sku_id: int) -> None:
    dialect_insert = sqlite_insert if uow.database.is_sqlite else postgresql_insert
    await uow.session.execute(
        dialect_insert(InventoryLevel)
        .values(location_id=location_id, sku_id=sku_id, updated_at=utcnow())
        .on_conflict_do_nothing(index_elements=["location_id", "sku_id"])
    )


async def _change_level(
    uow: UnitOfWork,
    location_id: int,
    sku_id: int,
    deltas: dict[InventoryBucket, int],
    *guards: ColumnElement[bool],
) -> InventoryLevel | None:
    """Apply bucket deltas in one conditional UPDATE; None when a guard (or the row) is missing."""
    values: dict[str, Any] = {
        bucket.value: getattr(Level, bucket.value) + delta for bucket, delta in deltas.items()
    }
    result = await uow.session.execute(
        update(InventoryLevel)
        .where(col(Level.location_id) == location_id, col(Level.sku_id) == sku_id, *guards)
        .values(**values, version=col(Level.version) + 1, updated_at=utcnow())
        .returning(InventoryLevel)
        .execution_options(populate_existing=True, synchronize_session=False)
    )
    return result.scalars().first()


async def _current_level(uow: UnitOfWork, location_id: int, sku_id: int) -> InventoryLevel | None:
    result = await uow.session.execute(
        select(InventoryLevel)
        .where(col(Level.location_id) == location_id, col(Level.sku_id) == sku_id)
        .execution_options(populate_existing=True)
    )
    return result.scalars().first()


async def _record(
    uow: UnitOfWork,
    level: InventoryLevel,
    deltas: dict[InventoryBucket, int],
    kind: MovementKind,
    *,
    reason: str | None = None,
    reference: str | None = None,
) -> None:
    now = utcnow()
    await uow.session.execute(
        insert(InventoryMovement),
        [
            {
                "location_id": level.location_id,
                "sku_id": level.sku_id,
                "bucket": bucket.value,
                "kind": kind.value,
                "quantity": delta,
                "reason": reason,
                "reference": reference,
                "actor": uow.actor,
                "created_at": now,
            }
            for bucket, delta in deltas.items()
            if delta
        ],
    )


def _level_payload(level: InventoryLevel, sku: Sku) -> dict[str, Any]:
    return {
        "locationId": level.location_id,
        "sku": sku.code,
        "skuId": sku.id,
        "onHand": level.on_hand,
        "reserved": level.reserved,
        "available": level.available,
        "incoming": level.incoming,
        "damaged": level.damaged,
        "qualityControl": level.quality_control,
        "safetyStock": level.safety_stock,
    }


def _level_event(
    uow: UnitOfWork, type_: EventType, level: InventoryLevel, sku: Sku, **details: Any
) -> None:
    assert level.id is not None
    uow.add_event(
        type_,
        aggregate_type="inventory_level",
        aggregate_id=level.id,
        payload={**details, "level": _level_payload(level, sku)},
    )


def _on_hand_matches(expected_on_hand: int | None) -> list[ColumnElement[bool]]:
    return [] if expected_on_hand is None else [col(Level.on_hand) == expected_on_hand]


def _free_on_hand(level: InventoryLevel) -> int:
    return free_to_move(level.on_hand, level.reserved)


async def _refusal(
    uow: UnitOfWork,
    location_id: int,
    sku: Sku,
    requested: int,
    expected_on_hand: int | None,
    held: Callable[[InventoryLevel], int] = _free_on_hand,
) -> Exception:
    """Why a guarded UPDATE matched no row: a stale expectation, or not enough stock held."""
    assert sku.id is not None
    level = await _current_level(uow, location_id, sku.id)
    on_hand = level.on_hand if level else 0
    if expected_on_hand is not None and on_hand != expected_on_hand:
        return StaleVersion(expected_on_hand, on_hand)
    return InsufficientStock(sku.code, requested, held(level) if level else 0)


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
        first = await idempotency.claim(
            uow, key=idempotency_key, operation="receiveInventory", request=request
        )
        if first is not None:
            return InventoryLevel.model_validate(first["level"])
    await _location(uow, location_id)
    sku = await _sku(uow, sku_code)
    assert sku.id is not None
    await _ensure_level(uow, location_id, sku.id)
    deltas = {InventoryBucket.ON_HAND: quantity}
    level = await _change_level(
        uow, location_id, sku.id, deltas, *_on_hand_matches(expected_on_hand)
    )
    if level is None:
        raise await _refusal(uow, location_id, sku, quantity, expected_on_hand)
    await _record(uow, level, deltas, MovementKind.RECEIPT, reference=reference)
    _level_event(
        uow, EventType.INVENTORY_RECEIVED, level, sku, quantity=quantity, reference=reference
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
    await _location(uow, location_id)
    sku = await _sku(uow, sku_code)
    assert sku.id is not None
    await _ensure_level(uow, location_id, sku.id)
    deltas = {InventoryBucket.ON_HAND: delta}
    level = await _change_level(
        uow,
        location_id,
        sku.id,
        deltas,
        col(Level.on_hand) + delta >= col(Level.reserved),
        *_on_hand_matches(expected_on_hand),
    )
    if level is None:
        raise await _refusal(uow, location_id, sku, -delta, expected_on_hand)
    await _record(uow, level, deltas, MovementKind.ADJUSTMENT, reason=reason.value, reference=note)
    _level_event(
        uow, EventType.INVENTORY_ADJUSTED, level, sku, delta=delta, reason=reason.value, note=note
    )
    await uow.commit()
    return level


async def set_safety_stock(
    uow: UnitOfWork, *, location_id: int, sku_code: str, quantity: int
) -> InventoryLevel:
    quantity = validation.non_negative(quantity, "quantity", maximum=validation.MAX_QUANTITY)
    await _location(uow, location_id)
    sku = await _sku(uow, sku_code)
    assert sku.id is not None
    await _ensure_level(uow, location_id, sku.id)
    result = await uow.session.execute(
        update(InventoryLevel)
        .where(col(Level.location_id) == location_id, col(Level.sku_id) == sku.id)
        .values(safety_stock=quantity, version=col(Level.version) + 1, updated_at=utcnow())
        .returning(InventoryLevel)
        .execution_options(populate_existing=True, synchronize_session=False)
    )
    level = result.scalars().one()
    _level_event(uow, EventType.SAFETY_STOCK_SET, level, sku, safetyStock=quantity)
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
    await _location(uow, location_id)
    sku = await _sku(uow, sku_code)
    assert sku.id is not None
    source_bucket = next(bucket for bucket, delta in deltas.items() if delta < 0)
    if source is InventoryState.AVAILABLE:
        guard = col(Level.on_hand) - col(Level.reserved) >= quantity
        held = _free_on_hand
    else:
        guard = getattr(Level, source_bucket.value) >= quantity

        def held(level: InventoryLevel) -> int:
            return int(getattr(level, source_bucket.value))

    level = await _change_level(
        uow, location_id, sku.id, deltas, guard, *_on_hand_matches(expected_on_hand)
    )
    if level is None:
        raise await _refusal(uow, location_id, sku, quantity, expected_on_hand, held)
    await _record(uow, level, deltas, MovementKind.STATE_MOVE, reference=reason)
    _level_event(
        uow,
        EventType.INVENTORY_STATE_MOVED,
        level,
        sku,
        quantity=quantity,
        source=source.value,
        target=target.value,
        reason=reason,
    )
    await uow.commit()
    return level


async def transfer_inventory(
    uow: UnitOfWork,
    *,
    from_location_id: int,
    to_location_id: int,
    sku_code: str,
    quantity: int,
    reference: str | None = None,
    expected_on_hand: int | None = None,
) -> Transfer:
    """Take stock out of one location's on_hand and into another's incoming, until received.

    ``expected_on_hand`` is compared with the source location's on_hand."""
    quantity = validation.positive_quantity(quantity)
    reference = validation.optional_text(reference, "reference")
    if from_location_id == to_location_id:
        raise InvalidInput("a transfer needs two different locations", field=["toLocationId"])
    await _location(uow, from_location_id, "fromLocationId")
    await _location(uow, to_location_id, "toLocationId")
    sku = await _sku(uow, sku_code)
    assert sku.id is not None
    outgoing = {InventoryBucket.ON_HAND: -quantity}
    source = await _change_level(
        uow,
        from_location_id,
        sku.id,
        outgoing,
        col(Level.on_hand) - col(Level.reserved) >= quantity,
        *_on_hand_matches(expected_on_hand),
    )
    if source is None:
        raise await _refusal(uow, from_location_id, sku, quantity, expected_on_hand)
    await _ensure_level(uow, to_location_id, sku.id)
    incoming = {InventoryBucket.INCOMING: quantity}
    target = await _change_level(uow, to_location_id, sku.id, incoming)
    assert target is not None
    transfer = Transfer(
        sku_id=sku.id,
        from_location_id=from_location_id,
        to_location_id=to_location_id,
        quantity=quantity,
        reference=reference,
    )
    uow.session.add(transfer)
    await uow.session.flush()
    assert transfer.id is not None
    ledger_reference = reference or f"transfer:{transfer.id}"
    await _record(uow, source, outgoing, MovementKind.TRANSFER_OUT, reference=ledger_reference)
    await _record(uow, target, incoming, MovementKind.TRANSFER_IN, reference=ledger_reference)
    uow.add_event(
        EventType.TRANSFER_SHIPPED,
        aggregate_type="transfer",
        aggregate_id=transfer.id,
        payload={
            "sku": sku.code,
            "quantity": quantity,
            "fromLocationId": from_location_id,
            "toLocationId": to_location_id,
            "levels": [_level_payload(source, sku), _level_payload(target, sku)],
        },
    )
    await uow.commit()
    return transfer


async def receive_transfer(
    uow: UnitOfWork, *, transfer_id: int, quantity: int | None = None
) -> Transfer:
    """Move a transfer's outstanding stock (or part of it) from incoming to on_hand."""
    transfer = await uow.session.get(Transfer, transfer_id)
    if transfer is None:
        raise NotFound("transfer", transfer_id, field=["transferId"])
    if transfer.status != TransferStatus.IN_TRANSIT:
        raise IllegalTransition(
            f"transfer {transfer_id} is {transfer.status}, not IN_TRANSIT", field=["transferId"]
        )
    outstanding = transfer.quantity - transfer.received_quantity
    quantity = outstanding if quantity is None else validation.positive_quantity(quantity)
    if quantity > outstanding:
        raise InvalidInput(
            f"only {outstanding} of this transfer are outstanding", field=["quantity"]
        )
    claimed = await uow.session.execute(
        update(Transfer)
        .where(
            col(Transfer.id) == transfer_id,
            col(Transfer.status) == TransferStatus.IN_TRANSIT,
            col(Transfer.received_quantity) + quantity <= col(Transfer.quantity),
        )
        .values(received_quantity=col(Transfer.received_quantity) + quantity)
        .returning(Transfer)
        .execution_options(populate_existing=True, synchronize_session=False)
    )
    transfer_row = claimed.scalars().first()
    if transfer_row is None:
        raise IllegalTransition(
            f"transfer {transfer_id} was received meanwhile", field=["transferId"]
        )
    if transfer_row.received_quantity == transfer_row.quantity:
        transfer_row.status = TransferStatus.RECEIVED
        transfer_row.received_at = utcnow()
    sku = await uow.session.get(Sku, transfer_row.sku_id)
    assert sku is not None and sku.id is not None
    deltas = {InventoryBucket.INCOMING: -quantity, InventoryBucket.ON_HAND: quantity}
    level = await _change_level(
        uow,
        transfer_row.to_location_id,
        sku.id,
        deltas,
        col(Level.incoming) >= quantity,
    )
    assert level is not None, "incoming must cover an outstanding transfer"
    await _record(
        uow, level, deltas, MovementKind.TRANSFER_RECEIPT, reference=f"transfer:{transfer_id}"
    )
    uow.add_event(
        EventType.TRANSFER_RECEIVED,
        aggregate_type="transfer",
        aggregate_id=transfer_id,
        payload={
            "sku": sku.code,
            "quantity": quantity,
            "status": transfer_row.status,
            "level": _level_payload(level, sku),
        },
    )
    await uow.commit()
    return transfer_row
