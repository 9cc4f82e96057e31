"""Transfers: stock leaves one location's on_hand into another's incoming, until received."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import col

from api import validation
from api.catalog.models import Sku
from api.db import UnitOfWork
from api.dbtypes import utcnow
from api.errors import IllegalTransition, InvalidInput, NotFound
from api.events import reactions
from api.idempotency import service as idempotency
from api.inventory import ledger
from api.inventory.events import LevelSnapshot, TransferReceived, TransferShipped
from api.inventory.facts import StockArrived
from api.inventory.models import InventoryLevel, MovementKind, Transfer
from api.inventory.rules import TRANSFER
from api.inventory.statuses import InventoryBucket, TransferStatus

Level = InventoryLevel


async def transfer_inventory(
    uow: UnitOfWork,
    *,
    from_location_id: int,
    to_location_id: int,
    sku_code: str,
    quantity: int,
    reference: str | None = None,
    expected_on_hand: int | None = None,
    idempotency_key: str | None = None,
) -> Transfer:
    """Take stock out of one location's on_hand and into another's incoming, until received.

    ``expected_on_hand`` is compared with the source location's on_hand."""
    quantity = validation.positive_quantity(quantity)
    reference = validation.optional_text(reference, "reference")
    request = {
        "from": from_location_id,
        "to": to_location_id,
        "sku": sku_code,
        "quantity": quantity,
        "reference": reference,
        "expectedOnHand": expected_on_hand,
    }
    if first := await idempotency.first_row(
        uow, Transfer, idempotency_key, "transferInventory", request
    ):
        return first
    if from_location_id == to_location_id:
        raise InvalidInput("a transfer needs two different locations", field=["toLocationId"])
    await ledger.find_location(uow, from_location_id, "fromLocationId")
    await ledger.find_location(uow, to_location_id, "toLocationId")
    sku = await ledger.find_sku(uow, sku_code)
    assert sku.id is not None
    transfer = Transfer(
        sku_id=sku.id,
        from_location_id=from_location_id,
        to_location_id=to_location_id,
        quantity=quantity,
        reference=reference,
    )
    source, target = await _send(uow, transfer, sku, expected_on_hand)
    uow.session.add(transfer)
    await uow.session.flush()
    assert transfer.id is not None
    ledger_reference = reference or f"transfer:{transfer.id}"
    await ledger.record_movements(
        uow, source, _outgoing(quantity), MovementKind.TRANSFER_OUT, reference=ledger_reference
    )
    await ledger.record_movements(
        uow, target, _incoming(quantity), MovementKind.TRANSFER_IN, reference=ledger_reference
    )
    uow.record(
        TransferShipped(
            transfer_id=transfer.id,
            sku=sku.code,
            quantity=quantity,
            from_location_id=from_location_id,
            to_location_id=to_location_id,
            levels=(LevelSnapshot.of(source, sku), LevelSnapshot.of(target, sku)),
        )
    )
    await idempotency.remember_row(uow, idempotency_key, transfer.id)
    await uow.commit()
    return transfer


def _outgoing(quantity: int) -> dict[InventoryBucket, int]:
    return {InventoryBucket.ON_HAND: -quantity}


def _incoming(quantity: int) -> dict[InventoryBucket, int]:
    return {InventoryBucket.INCOMING: quantity}


async def _send(
    uow: UnitOfWork, transfer: Transfer, sku: Sku, expected_on_hand: int | None
) -> tuple[InventoryLevel, InventoryLevel]:
    """Takes the units off the source's on_hand (never from reserved units) and puts them in
    the target's incoming: the two levels after the move."""
    quantity = transfer.quantity
    source = await ledger.change_level(
        uow,
        transfer.from_location_id,
        transfer.sku_id,
        _outgoing(quantity),
        col(Level.on_hand) - col(Level.reserved) >= quantity,
        *ledger.on_hand_matches(expected_on_hand),
    )
    if source is None:
        raise await ledger.refusal(uow, transfer.from_location_id, sku, quantity, expected_on_hand)
    await ledger.ensure_level(uow, transfer.to_location_id, transfer.sku_id)
    target = await ledger.change_level(
        uow, transfer.to_location_id, transfer.sku_id, _incoming(quantity)
    )
    assert target is not None
    return source, target


async def receive_transfer(
    uow: UnitOfWork,
    *,
    transfer_id: int,
    quantity: int | None = None,
    idempotency_key: str | None = None,
) -> Transfer:
    """Move a transfer's outstanding stock (or part of it) from incoming to on_hand."""
    request = {"transferId": transfer_id, "quantity": quantity}
    if first := await idempotency.first_row(
        uow, Transfer, idempotency_key, "receiveTransfer", request
    ):
        return first
    transfer_row, quantity = await _claim_receipt(uow, transfer_id, quantity)
    sku = await uow.session.get(Sku, transfer_row.sku_id)
    assert sku is not None and sku.id is not None
    deltas = {InventoryBucket.INCOMING: -quantity, InventoryBucket.ON_HAND: quantity}
    level = await ledger.change_level(
        uow,
        transfer_row.to_location_id,
        sku.id,
        deltas,
        col(Level.incoming) >= quantity,
    )
    assert level is not None, "incoming must cover an outstanding transfer"
    await ledger.record_movements(
        uow, level, deltas, MovementKind.TRANSFER_RECEIPT, reference=f"transfer:{transfer_id}"
    )
    if any(await reactions.announce(uow, StockArrived(level, sku.code))):
        level = await ledger.current_level(uow, transfer_row.to_location_id, sku.id) or level
    uow.record(
        TransferReceived(
            transfer_id=transfer_id,
            sku=sku.code,
            quantity=quantity,
            status=transfer_row.status,
            level=LevelSnapshot.of(level, sku),
        )
    )
    await idempotency.remember_row(uow, idempotency_key, transfer_id)
    await uow.commit()
    return transfer_row


async def _claim_receipt(
    uow: UnitOfWork, transfer_id: int, quantity: int | None
) -> tuple[Transfer, int]:
    """Counts ``quantity`` units (all outstanding when None) as received, guarded against a
    receipt running at the same time; RECEIVED once every unit is in. The transfer and the
    units received."""
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
        TRANSFER.move(transfer_row, TransferStatus.RECEIVED, transfer_id)
        transfer_row.received_at = utcnow()
    return transfer_row, quantity
