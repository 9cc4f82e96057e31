"""Bulk import of inventory levels from CSV: a stock count, safety stock and bins for many
SKUs at many locations, in one batch that applies whole or not at all.

Columns (case-insensitive): ``location`` (its code) and ``sku`` (required), and at least one of
``on_hand`` (the counted quantity: the level is set to it, the difference written to the
ledger as a cycle-count adjustment), ``safety_stock`` and ``bin`` (a bin code at the location).
A count below what orders have reserved at the level is refused, as a single adjustment would be.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from api import validation
from api.bulk.csvfiles import CsvFile, CsvRow, RowErrors, read_csv, whole_number
from api.bulk.sku_import import ImportSummary
from api.catalog.models import Sku
from api.db import UnitOfWork
from api.dbtypes import utcnow
from api.errors import InvalidInput
from api.inventory import ledger
from api.inventory.events import BinAssigned, InventoryAdjusted, LevelSnapshot, SafetyStockSet
from api.inventory.models import AdjustmentReason, InventoryLevel, MovementKind
from api.inventory.statuses import InventoryBucket
from api.locations.models import Bin, Location
from api.reads import columns

REQUIRED = {"location", "sku"}
OPTIONAL = {"on_hand", "safety_stock", "bin"}
IMPORT_NOTE = "bulk import"
_level = columns(InventoryLevel)
_location = columns(Location)
_sku = columns(Sku)
_bin = columns(Bin)


@dataclass(frozen=True)
class _Target:
    row: CsvRow
    location_id: int
    sku_id: int
    sku: Sku
    on_hand: int | None
    safety_stock: int | None
    bin_id: int | None
    bin_code: str | None


def read_file(data: bytes, *, max_rows: int) -> CsvFile:
    parsed = read_csv(data, required=REQUIRED, optional=OPTIONAL, max_rows=max_rows)
    if not parsed.columns & OPTIONAL:
        raise InvalidInput(
            "the file needs at least one of the columns on_hand, safety_stock, bin",
            field=["file"],
        )
    return parsed


async def _lookups(
    uow: UnitOfWork, rows: list[CsvRow]
) -> tuple[dict[str, int], dict[str, Sku], dict[tuple[int, str], int]]:
    location_codes = {code for row in rows if (code := row.get("location"))}
    sku_codes = {code for row in rows if (code := row.get("sku"))}
    bin_codes = {code for row in rows if (code := row.get("bin"))}
    session = uow.session
    locations: dict[str, int] = dict(
        (
            await session.execute(
                select(_location.code, _location.id).where(_location.code.in_(list(location_codes)))
            )
        ).all()
    )
    skus = {
        sku.code: sku
        for sku in (await session.execute(select(Sku).where(_sku.code.in_(list(sku_codes)))))
        .scalars()
        .all()
    }
    bins = {
        (location_id, code): bin_id
        for bin_id, location_id, code in (
            await session.execute(
                select(_bin.id, _bin.location_id, _bin.code).where(
                    _bin.code.in_(list(bin_codes)), _bin.location_id.in_(list(locations.values()))
                )
            )
        ).all()
    }
    return locations, skus, bins


async def _targets(uow: UnitOfWork, rows: list[CsvRow], errors: RowErrors) -> list[_Target]:
    locations, skus, bins = await _lookups(uow, rows)
    quantity = whole_number(0, validation.MAX_QUANTITY)
    seen: dict[tuple[int, int], int] = {}
    targets = []
    for row in rows:
        location_code, sku_code, bin_code = row.get("location"), row.get("sku"), row.get("bin")
        on_hand = errors.check(row, "on_hand", quantity)
        safety_stock = errors.check(row, "safety_stock", quantity)
        location_id = locations.get(location_code or "")
        sku = skus.get(sku_code or "")
        if location_id is None:
            errors.add(row, "location", f"no location has the code {location_code!r}")
        if sku is None:
            errors.add(row, "sku", f"no SKU has the code {sku_code!r}")
        if location_id is None or sku is None:
            continue
        assert sku.id is not None
        bin_id = bins.get((location_id, bin_code)) if bin_code else None
        if bin_code and bin_id is None:
            errors.add(row, "bin", f"location {location_code} has no bin {bin_code!r}")
        if (location_id, sku.id) in seen:
            errors.add(row, "sku", f"{sku.code} at {location_code} appears twice "
                       f"(line {seen[(location_id, sku.id)]})")  # fmt: skip
            continue
        seen[(location_id, sku.id)] = row.line
        targets.append(
            _Target(row, location_id, sku.id, sku, on_hand, safety_stock, bin_id, bin_code)
        )
    return targets


async def _locked_levels(
    uow: UnitOfWork, targets: list[_Target]
) -> tuple[dict[tuple[int, int], InventoryLevel], set[tuple[int, int]]]:
    """The targets' levels, created when missing (the second result names those), locked until
    the batch commits."""
    now = utcnow()
    pairs = [(target.location_id, target.sku_id) for target in targets]
    dialect_insert = sqlite_insert if uow.database.is_sqlite else postgresql_insert
    inserted = await uow.session.execute(
        dialect_insert(InventoryLevel)
        .on_conflict_do_nothing(index_elements=["location_id", "sku_id"])
        .returning(_level.location_id, _level.sku_id),
        [{"location_id": l, "sku_id": s, "updated_at": now} for l, s in pairs],  # noqa: E741
    )
    created = set(tuple(row) for row in inserted)
    found = await uow.session.execute(
        select(InventoryLevel)
        .where(tuple_(_level.location_id, _level.sku_id).in_(pairs))
        .order_by(_level.id)  # one lock order for every batch: no deadlock between imports
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {(level.location_id, level.sku_id): level for level in found.scalars()}, created


_SET_LEVEL = (
    update(_level.id.table)
    .where(_level.id == bindparam("level_id"))
    .values(
        on_hand=bindparam("new_on_hand"),
        safety_stock=bindparam("new_safety_stock"),
        bin_id=bindparam("new_bin_id"),
        version=_level.version + 1,
        updated_at=bindparam("now"),
    )
)


async def import_levels(uow: UnitOfWork, rows: list[CsvRow]) -> ImportSummary:
    """Writes one batch of rows (the caller commits); raises RowsRejected, having written
    nothing, when any row is at fault."""
    errors = RowErrors()
    targets = await _targets(uow, rows, errors)
    errors.raise_if_any()
    levels, created = await _locked_levels(uow, targets) if targets else ({}, set())
    changes: list[tuple[_Target, InventoryLevel, dict[str, Any]]] = []
    for target in targets:
        level = levels[(target.location_id, target.sku_id)]
        if target.on_hand is not None and target.on_hand < level.reserved:
            errors.add(target.row, "on_hand", f"{level.reserved} units are reserved for orders "
                       f"here; the count cannot be below that")  # fmt: skip
            continue
        wanted = {
            "on_hand": target.on_hand,
            "safety_stock": target.safety_stock,
            "bin_id": target.bin_id,
        }
        change = {
            name: value
            for name, value in wanted.items()
            if value is not None and value != getattr(level, name)
        }
        if change:
            changes.append((target, level, change))
    errors.raise_if_any()
    if changes:
        await _apply(uow, changes)
    updated = sum(
        1 for target, _, _ in changes if (target.location_id, target.sku_id) not in created
    )
    return ImportSummary(len(rows), len(created), updated, len(targets) - len(created) - updated)


async def _apply(
    uow: UnitOfWork, changes: list[tuple[_Target, InventoryLevel, dict[str, Any]]]
) -> None:
    now = utcnow()
    await uow.session.execute(
        _SET_LEVEL,
        [
            {
                "level_id": level.id,
                "new_on_hand": change.get("on_hand", level.on_hand),
                "new_safety_stock": change.get("safety_stock", level.safety_stock),
                "new_bin_id": change.get("bin_id", level.bin_id),
                "now": now,
            }
            for _, level, change in changes
        ],
    )
    counted: list[tuple[InventoryLevel, dict[InventoryBucket, int]]] = []
    for target, level, change in changes:
        delta = change.get("on_hand", level.on_hand) - level.on_hand
        level.on_hand += delta
        level.safety_stock = change.get("safety_stock", level.safety_stock)
        level.bin_id = change.get("bin_id", level.bin_id)
        level.version += 1
        if delta:
            counted.append((level, {InventoryBucket.ON_HAND: delta}))
            uow.record(
                InventoryAdjusted(
                    level=LevelSnapshot.of(level, target.sku), delta=delta,
                    reason=AdjustmentReason.CYCLE_COUNT.value, note=IMPORT_NOTE,
                )
            )  # fmt: skip
        elif "safety_stock" in change:
            uow.record(
                SafetyStockSet(
                    level=LevelSnapshot.of(level, target.sku), safety_stock=level.safety_stock
                )
            )
        else:
            uow.record(BinAssigned(level=LevelSnapshot.of(level, target.sku), bin=target.bin_code))
    await ledger.record_many_movements(
        uow,
        counted,
        MovementKind.ADJUSTMENT,
        reason=AdjustmentReason.CYCLE_COUNT.value,
        reference=IMPORT_NOTE,
    )
