"""Pure decisions about quantity states: which buckets a move touches and what guards it."""

from __future__ import annotations

from enum import StrEnum

from api.errors import InvalidInput
from api.inventory.statuses import InventoryBucket, TransferStatus
from api.lifecycle import Lifecycle

TRANSFER = Lifecycle(
    "transfer",
    "transferId",
    {
        TransferStatus.IN_TRANSIT: frozenset({TransferStatus.RECEIVED}),
        TransferStatus.RECEIVED: frozenset(),
    },
    initial=frozenset({TransferStatus.IN_TRANSIT}),
)


class InventoryState(StrEnum):
    """The states staff move stock between; AVAILABLE is the sellable part of on_hand."""

    AVAILABLE = "AVAILABLE"
    DAMAGED = "DAMAGED"
    QUALITY_CONTROL = "QUALITY_CONTROL"
    DISCREPANCY = "DISCREPANCY"
    """Units the records expect but a picker did not find, until a count settles them."""


STATE_BUCKET = {
    InventoryState.AVAILABLE: InventoryBucket.ON_HAND,
    InventoryState.DAMAGED: InventoryBucket.DAMAGED,
    InventoryState.QUALITY_CONTROL: InventoryBucket.QUALITY_CONTROL,
    InventoryState.DISCREPANCY: InventoryBucket.DISCREPANCY,
}


def state_move(
    source: InventoryState, target: InventoryState, quantity: int
) -> dict[InventoryBucket, int]:
    """The bucket deltas of moving ``quantity`` units from one state to another."""
    if source is target:
        raise InvalidInput("from and to must differ", field=["to"])
    return {STATE_BUCKET[source]: -quantity, STATE_BUCKET[target]: quantity}


def available(on_hand: int, reserved: int, safety_stock: int) -> int:
    """Units that can be promised to a new order."""
    return max(on_hand - reserved - safety_stock, 0)


def free_to_move(on_hand: int, reserved: int) -> int:
    """Units that can leave on_hand without breaking a reservation (safety stock may be used)."""
    return max(on_hand - reserved, 0)
