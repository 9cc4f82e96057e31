"""Levels and their ledger, written together: the building blocks of every stock command.

A level changes by one conditional UPDATE whose guards say when the change is allowed; each
bucket it touches gets a ledger row; the level's new state goes into the command's event."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col

from api.catalog.models import Sku
from api.catalog.queries import sku_by_code
from api.db import UnitOfWork
from api.dbtypes import utcnow
from api.errors import NotFound
from api.inventory.errors import InsufficientStock, StaleVersion
from api.inventory.models import InventoryLevel, InventoryMovement, MovementKind
from api.inventory.rules import free_to_move
from api.inventory.statuses import InventoryBucket
from api.locations.models import Location
from api.writes import commit_ordered_insert

Level = InventoryLevel


async def find_location(uow: UnitOfWork, location_id: int, field: str = "locationId") -> Location:
    location = await uow.session.get(Location, location_id)
    if location is None:
        raise NotFound("location", location_id, field=[field])
    return location


async def find_sku(uow: UnitOfWork, code: str) -> Sku:
    sku = await sku_by_code(uow.session, code)
    if sku is None:
        raise NotFound("SKU", code, field=["sku"])
    return sku


async def ensure_level(uow: UnitOfWork, location_id: int, sku_id: int) -> None:
    dialect_insert = sqlite_insert if uow.database.is_sqlite else postgresql_insert
    await uow.session.execute(
        dialect_insert(InventoryLevel)
        .values(location_id=location_id, sku_id=sku_id, updated_at=utcnow())
        .on_conflict_do_nothing(index_elements=["location_id", "sku_id"])
    )


async def change_level(
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


async def current_level(uow: UnitOfWork, location_id: int, sku_id: int) -> InventoryLevel | None:
    result = await uow.session.execute(
        select(InventoryLevel)
        .where(col(Level.location_id) == location_id, col(Level.sku_id) == sku_id)
        .execution_options(populate_existing=True)
    )
    return result.scalars().first()


async def record_movements(
    uow: UnitOfWork,
    level: InventoryLevel,
    deltas: dict[InventoryBucket, int],
    kind: MovementKind,
    *,
    reason: str | None = None,
    reference: str | None = None,
) -> None:
    await record_many_movements(uow, [(level, deltas)], kind, reason=reason, reference=reference)


def movement_row(
    uow: UnitOfWork,
    location_id: int,
    sku_id: int,
    bucket: InventoryBucket,
    kind: MovementKind,
    quantity: int,
    at: datetime,
    reason: str | None,
    reference: str | None,
) -> dict[str, Any]:
    """One ledger row, as the bulk insert of a unit of work's movements takes it."""
    return {
        "location_id": location_id,
        "sku_id": sku_id,
        "bucket": bucket.value,
        "kind": kind.value,
        "quantity": quantity,
        "reason": reason,
        "reference": reference,
        "actor": uow.actor,
        "created_at": at,
    }


async def record_many_movements(
    uow: UnitOfWork,
    moves: Sequence[tuple[InventoryLevel, dict[InventoryBucket, int]]],
    kind: MovementKind,
    *,
    reason: str | None = None,
    reference: str | None = None,
) -> None:
    """The ledger rows of several levels' bucket deltas, in one statement."""
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for level, deltas in moves:
        assert level.id is not None
        uow.level_changed(level.id, level.location_id, level.sku_id)
        rows.extend(
            movement_row(
                uow, level.location_id, level.sku_id, bucket, kind, delta, now, reason, reference
            )
            for bucket, delta in deltas.items()
            if delta
        )
    if rows:
        await uow.session.execute(
            commit_ordered_insert(
                InventoryMovement.__table__,  # type: ignore[attr-defined]
                uow.database.is_sqlite,
            ),
            rows,
        )


def on_hand_matches(expected_on_hand: int | None) -> list[ColumnElement[bool]]:
    return [] if expected_on_hand is None else [col(Level.on_hand) == expected_on_hand]


def free_on_hand(level: InventoryLevel) -> int:
    return free_to_move(level.on_hand, level.reserved)


async def refusal(
    uow: UnitOfWork,
    location_id: int,
    sku: Sku,
    requested: int,
    expected_on_hand: int | None,
    held: Callable[[InventoryLevel], int] = free_on_hand,
) -> Exception:
    """Why a guarded UPDATE matched no row: a stale expectation, or not enough stock held."""
    assert sku.id is not None
    level = await current_level(uow, location_id, sku.id)
    on_hand = level.on_hand if level else 0
    if expected_on_hand is not None and on_hand != expected_on_hand:
        return StaleVersion(expected_on_hand, on_hand)
    return InsufficientStock(sku.code, requested, held(level) if level else 0)
