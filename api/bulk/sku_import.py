"""Bulk import of SKUs from CSV: new codes are created, known codes updated, in one batch that
applies whole or not at all.

Columns (header names are case-insensitive): ``sku`` (required), ``name``, ``price`` and
``unit_cost`` (minor units: 1999 is 19.99), ``currency``, ``weight_grams``, ``barcode``,
``allow_backorder``, ``active`` (true/false) and ``product``. A new SKU needs a name and a
price; new SKUs with the same ``product`` in one batch become variants of one new product (a
blank ``product`` makes a product of the SKU alone). For a known SKU, only the cells filled in
change it; ``product`` is ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, insert, select, update

from api import validation
from api.bulk.csvfiles import CsvFile, CsvRow, RowErrors, read_csv, whole_number, yes_or_no
from api.catalog.events import ProductCreated, SkuUpdated
from api.catalog.models import Product, Sku
from api.catalog.service import MAX_PRICE
from api.db import UnitOfWork
from api.dbtypes import utcnow
from api.reads import columns

REQUIRED = {"sku"}
OPTIONAL = {
    "name", "price", "currency", "unit_cost", "weight_grams", "barcode", "allow_backorder",
    "active", "product",
}  # fmt: skip
UPDATABLE = (
    "name", "price", "currency", "unit_cost", "weight_grams", "barcode", "allow_backorder",
    "active",
)  # fmt: skip
_sku = columns(Sku)
_product = columns(Product)


@dataclass(frozen=True)
class ImportSummary:
    rows: int
    created: int
    updated: int
    unchanged: int


def read_file(data: bytes, *, max_rows: int) -> CsvFile:
    return read_csv(data, required=REQUIRED, optional=OPTIONAL, max_rows=max_rows)


def _cells(row: RowErrors, csv_row: CsvRow) -> dict[str, Any]:
    """The row's filled-in cells, parsed and validated (errors recorded in ``row``)."""
    parsers: dict[str, Any] = {
        "name": lambda value: validation.text(value, "name"),
        "price": whole_number(0, MAX_PRICE),
        "unit_cost": whole_number(0, MAX_PRICE),
        "currency": lambda value: validation.currency(value, "currency"),
        "weight_grams": whole_number(0, 1_000_000),
        "barcode": lambda value: validation.code(value, "barcode"),
        "allow_backorder": yes_or_no,
        "active": yes_or_no,
        "product": lambda value: validation.text(value, "product"),
    }
    return {
        column: value
        for column, parse in parsers.items()
        if (value := row.check(csv_row, column, parse)) is not None
    }


async def import_skus(uow: UnitOfWork, rows: list[CsvRow]) -> ImportSummary:
    """Writes one batch of rows (the caller commits); raises RowsRejected, having written
    nothing, when any row is at fault."""
    errors = RowErrors()
    parsed: dict[str, tuple[CsvRow, dict[str, Any]]] = {}
    for csv_row in rows:
        code = errors.check(csv_row, "sku", lambda value: validation.code(value, "sku"))
        if csv_row.get("sku") is None:
            errors.add(csv_row, "sku", "sku is required")
        cells = _cells(errors, csv_row)
        if code is None:
            continue
        if code in parsed:
            errors.add(csv_row, "sku", f"sku {code} appears twice (line {parsed[code][0].line})")
            continue
        parsed[code] = (csv_row, cells)

    known = {
        sku.code: sku
        for sku in (
            await uow.session.execute(select(Sku).where(_sku.code.in_(list(parsed))))
        ).scalars()
    }
    barcodes: dict[str, tuple[str, CsvRow]] = {}
    for code, (csv_row, cells) in parsed.items():
        if "barcode" in cells:
            barcodes.setdefault(cells["barcode"], (code, csv_row))
    _check_barcodes_unique(errors, parsed, barcodes)
    holders: dict[str, str] = dict(
        (
            await uow.session.execute(
                select(_sku.barcode, _sku.code).where(_sku.barcode.in_(list(barcodes)))
            )
        ).all()
    )
    for barcode, (code, csv_row) in barcodes.items():
        holder = holders.get(barcode)
        if holder is not None and holder != code:
            errors.add(csv_row, "barcode", f"barcode {barcode} already belongs to SKU {holder}")

    new: dict[str, tuple[CsvRow, dict[str, Any]]] = {}
    changed: list[tuple[Sku, dict[str, Any]]] = []
    for code, (csv_row, cells) in parsed.items():
        sku = known.get(code)
        if sku is None:
            for column in ("name", "price"):
                if column not in cells and csv_row.get(column) is None:
                    errors.add(csv_row, column, f"a new SKU needs a {column}")
            new[code] = (csv_row, cells)
            continue
        changes = {
            column: cells[column]
            for column in UPDATABLE
            if column in cells and cells[column] != getattr(sku, column)
        }
        if changes:
            changed.append((sku, changes))
    errors.raise_if_any()

    await _create(uow, new)
    await _update(uow, changed)
    return ImportSummary(len(rows), len(new), len(changed), len(parsed) - len(new) - len(changed))


def _check_barcodes_unique(
    errors: RowErrors,
    parsed: dict[str, tuple[CsvRow, dict[str, Any]]],
    barcodes: dict[str, tuple[str, CsvRow]],
) -> None:
    for code, (csv_row, cells) in parsed.items():
        barcode = cells.get("barcode")
        if barcode is not None and barcodes[barcode][0] != code:
            first = barcodes[barcode][1]
            errors.add(csv_row, "barcode", f"barcode {barcode} appears twice (line {first.line})")


async def _create(uow: UnitOfWork, new: dict[str, tuple[CsvRow, dict[str, Any]]]) -> None:
    if not new:
        return
    now = utcnow()
    families: dict[str, list[str]] = {}
    for code, (_, cells) in new.items():
        families.setdefault(cells.get("product") or f"\0{code}", []).append(code)
    product_ids: dict[str, int] = {}
    for family, codes in families.items():
        name = family if not family.startswith("\0") else new[codes[0]][1]["name"]
        product_id = (
            await uow.session.execute(
                insert(Product).values(name=name, created_at=now).returning(_product.id)
            )
        ).scalar_one()
        for code in codes:
            product_ids[code] = product_id
        uow.record(ProductCreated(product_id=product_id, name=name, skus=codes, imported=True))
    await uow.session.execute(
        insert(Sku),
        [
            {
                "product_id": product_ids[code],
                "code": code,
                "name": cells["name"],
                "price": cells["price"],
                "currency": cells.get("currency", "EUR"),
                "unit_cost": cells.get("unit_cost", 0),
                "weight_grams": cells.get("weight_grams", 0),
                "barcode": cells.get("barcode"),
                "allow_backorder": cells.get("allow_backorder", False),
                "active": cells.get("active", True),
                "created_at": now,
                "updated_at": now,
            }
            for code, (_, cells) in new.items()
        ],
    )


_UPDATE_SKU = (
    update(_sku.id.table)
    .where(_sku.id == bindparam("sku_id"))
    .values(
        {column: bindparam(f"new_{column}") for column in UPDATABLE}
        | {"updated_at": bindparam("now")}
    )
)


async def _update(uow: UnitOfWork, changed: list[tuple[Sku, dict[str, Any]]]) -> None:
    if not changed:
        return
    now = utcnow()
    await uow.session.execute(
        _UPDATE_SKU,
        [
            {"sku_id": sku.id, "now": now}
            | {f"new_{column}": changes.get(column, getattr(sku, column)) for column in UPDATABLE}
            for sku, changes in changed
        ],
    )
    for sku, changes in changed:
        assert sku.id is not None
        uow.record(SkuUpdated(sku_id=sku.id, sku=sku.code, changed=sorted(changes), imported=True))
