"""Reservations: holding available stock for orders, all or nothing, without read-then-write.

Every hold of a command is taken by one UPDATE whose guard re-checks availability
(on_hand - reserved - safety_stock) row by row under the row lock. If any level falls short,
the holds that were taken are given back in the same transaction and the caller learns
nothing was reserved; the CHECK constraint reserved <= on_hand stands behind it all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, insert, update
from sqlmodel import col

from api.db import UnitOfWork
from api.dbtypes import utcnow
from api.inventory.models import InventoryBucket, InventoryLevel, InventoryMovement, MovementKind
from api.reads import columns

Level = InventoryLevel


@dataclass(frozen=True)
class Hold:
    level_id: int
    location_id: int
    sku_id: int
    quantity: int


@dataclass(frozen=True)
class LevelState:
    level_id: int
    location_id: int
    sku_id: int
    on_hand: int
    reserved: int
    safety_stock: int

    @property
    def available(self) -> int:
        return max(self.on_hand - self.reserved - self.safety_stock, 0)

    def as_event(self, sku_code: str) -> dict[str, Any]:
        return {
            "locationId": self.location_id,
            "sku": sku_code,
            "skuId": self.sku_id,
            "onHand": self.on_hand,
            "reserved": self.reserved,
            "available": self.available,
        }


_columns = columns(InventoryLevel)
_RETURNED = (
    _columns.id,
    _columns.location_id,
    _columns.sku_id,
    _columns.on_hand,
    _columns.reserved,
    _columns.safety_stock,
)


def _per_level(holds: Sequence[Hold]) -> dict[int, int]:
    amounts: dict[int, int] = {}
    for hold in holds:
        amounts[hold.level_id] = amounts.get(hold.level_id, 0) + hold.quantity
    return amounts


async def _shift_reserved(
    uow: UnitOfWork, amounts: dict[int, int], sign: int, guarded: bool
) -> list[LevelState]:
    quantity = case(amounts, value=col(Level.id))
    statement = update(InventoryLevel).where(col(Level.id).in_(amounts))
    if guarded and sign > 0:
        statement = statement.where(
            col(Level.on_hand) - col(Level.reserved) - col(Level.safety_stock) >= quantity
        )
    elif guarded:
        statement = statement.where(col(Level.reserved) >= quantity)
    result = await uow.session.execute(
        statement.values(
            reserved=col(Level.reserved) + sign * quantity,
            version=col(Level.version) + 1,
            updated_at=utcnow(),
        )
        .returning(*_RETURNED)
        .execution_options(synchronize_session=False)
    )
    return [LevelState(*row) for row in result.all()]


async def reserve(uow: UnitOfWork, holds: Sequence[Hold]) -> list[LevelState] | None:
    """Reserves every hold, or none of them (None) when any level no longer has the stock."""
    amounts = _per_level(holds)
    if not amounts:
        return []
    taken = await _shift_reserved(uow, amounts, +1, guarded=True)
    if len(taken) == len(amounts):
        return taken
    if taken:
        await _shift_reserved(
            uow, {state.level_id: amounts[state.level_id] for state in taken}, -1, guarded=False
        )
    return None


async def release(uow: UnitOfWork, holds: Sequence[Hold]) -> list[LevelState]:
    """Gives held stock back; each hold must have been reserved."""
    amounts = _per_level(holds)
    if not amounts:
        return []
    released = await _shift_reserved(uow, amounts, -1, guarded=True)
    if len(released) != len(amounts):
        raise RuntimeError("released more than was reserved: allocations and levels disagree")
    return released


async def record(
    uow: UnitOfWork, holds: Sequence[Hold], kind: MovementKind, *, reference: str
) -> None:
    """The ledger rows of reserving (+) or releasing (-) the holds."""
    if not holds:
        return
    sign = -1 if kind is MovementKind.RELEASE else 1
    now = utcnow()
    await uow.session.execute(
        insert(InventoryMovement),
        [
            {
                "location_id": hold.location_id,
                "sku_id": hold.sku_id,
                "bucket": InventoryBucket.RESERVED.value,
                "kind": kind.value,
                "quantity": sign * hold.quantity,
                "reference": reference,
                "actor": uow.actor,
                "created_at": now,
            }
            for hold in holds
        ],
    )
