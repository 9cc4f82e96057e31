"""Reservations: holding available stock for orders, all or nothing, without read-then-write.

Every hold of a command is taken by one UPDATE whose guard re-checks availability
(on_hand - reserved - safety_stock) row by row under the row lock. If any level falls short,
the holds that were taken are given back in the same transaction and the caller learns
nothing was reserved; the CHECK constraint reserved <= on_hand stands behind it all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Integer, bindparam, case, update

from api.db import UnitOfWork
from api.dbtypes import UtcDateTime, utcnow
from api.inventory import rules
from api.inventory.events import LevelHeld
from api.inventory.ledger import movement_row
from api.inventory.models import InventoryLevel, InventoryMovement, MovementKind, available_in_sql
from api.inventory.statuses import InventoryBucket
from api.reads import columns
from api.writes import commit_ordered_insert


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
        return rules.available(self.on_hand, self.reserved, self.safety_stock)

    def held(self, sku_code: str) -> LevelHeld:
        return LevelHeld(
            location_id=self.location_id,
            sku=sku_code,
            sku_id=self.sku_id,
            on_hand=self.on_hand,
            reserved=self.reserved,
            available=self.available,
        )


_columns = columns(InventoryLevel)
_MOVEMENTS = InventoryMovement.__table__  # type: ignore[attr-defined]
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


@cache
def _shift_statement(count: int, sign: int, guarded: bool) -> Any:
    """UPDATE moving ``reserved`` of ``count`` levels; built once per shape, so each call only
    binds ``level_<n>`` and ``units_<n>``."""
    level = _columns
    units = case(
        *(
            (
                level.id == bindparam(f"level_{n}", type_=Integer()),
                bindparam(f"units_{n}", type_=Integer()),
            )
            for n in range(count)
        )
    )
    statement = update(level.id.table).where(
        level.id.in_([bindparam(f"level_{n}", type_=Integer()) for n in range(count)])
    )
    if guarded and sign > 0:
        statement = statement.where(available_in_sql(level) >= units)
    elif guarded:
        statement = statement.where(level.reserved >= units)
    return statement.values(
        reserved=level.reserved + sign * units,
        version=level.version + 1,
        updated_at=bindparam("now", type_=UtcDateTime()),
    ).returning(*_RETURNED)


async def _shift_reserved(
    uow: UnitOfWork, amounts: dict[int, int], sign: int, guarded: bool
) -> list[LevelState]:
    parameters: dict[str, Any] = {"now": utcnow()}
    for n, (level_id, units) in enumerate(amounts.items()):
        parameters[f"level_{n}"] = level_id
        parameters[f"units_{n}"] = units
    result = await uow.session.execute(_shift_statement(len(amounts), sign, guarded), parameters)
    return [LevelState(*row) for row in result.all()]


@dataclass(frozen=True)
class Refused:
    """No hold was reserved: these levels no longer had the stock (a concurrent order took it)."""

    short_level_ids: frozenset[int]


async def reserve(uow: UnitOfWork, holds: Sequence[Hold]) -> list[LevelState] | Refused:
    """Reserves every hold, or none of them when any level no longer has the stock."""
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
    return Refused(frozenset(amounts) - {state.level_id for state in taken})


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
    if holds:
        await uow.session.execute(
            commit_ordered_insert(_MOVEMENTS, uow.database.is_sqlite),
            movement_rows(uow, holds, kind, reference=reference),
        )


def movement_rows(
    uow: UnitOfWork, holds: Sequence[Hold], kind: MovementKind, *, reference: str | None
) -> list[dict[str, Any]]:
    """The ledger rows of reserving (+) or releasing (-) the holds, to be written in this unit
    of work."""
    sign = -1 if kind is MovementKind.RELEASE else 1
    now = utcnow()
    for hold in holds:
        uow.level_changed(hold.level_id, hold.location_id, hold.sku_id)
    return [
        movement_row(
            uow,
            hold.location_id,
            hold.sku_id,
            InventoryBucket.RESERVED,
            kind,
            sign * hold.quantity,
            now,
            None,
            reference,
        )
        for hold in holds
    ]
