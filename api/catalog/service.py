from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlmodel import col

from api import validation
from api.catalog.events import ProductCreated, SkuUpdated
from api.catalog.models import Product, Sku
from api.db import UnitOfWork
from api.dbtypes import utcnow
from api.errors import AlreadyExists, InvalidInput, NotFound

MAX_SKUS_PER_PRODUCT = 100
MAX_PRICE = 100_000_000


@dataclass(frozen=True)
class SkuFields:
    code: str
    name: str
    price: int
    unit_cost: int = 0
    weight_grams: int = 0
    barcode: str | None = None
    allow_backorder: bool = False
    currency: str = "EUR"


@dataclass(frozen=True)
class SkuChanges:
    """Only the fields that are not None change."""

    name: str | None = None
    price: int | None = None
    unit_cost: int | None = None
    weight_grams: int | None = None
    barcode: str | None = None
    allow_backorder: bool | None = None
    active: bool | None = None


def _validated_sku(fields: SkuFields, index: int) -> dict[str, object]:
    prefix = f"skus.{index}"
    return {
        "code": validation.code(fields.code, f"{prefix}.sku"),
        "name": validation.text(fields.name, f"{prefix}.name"),
        "price": validation.money(fields.price, f"{prefix}.price", minimum=0, maximum=MAX_PRICE),
        "unit_cost": validation.money(
            fields.unit_cost, f"{prefix}.unitCost", minimum=0, maximum=MAX_PRICE
        ),
        "weight_grams": validation.non_negative(
            fields.weight_grams, f"{prefix}.weightGrams", maximum=1_000_000
        ),
        "barcode": (
            validation.code(fields.barcode, f"{prefix}.barcode") if fields.barcode else None
        ),
        "allow_backorder": fields.allow_backorder,
        "currency": validation.currency(fields.currency, f"{prefix}.currency"),
    }


async def create_product(
    uow: UnitOfWork, *, name: str, skus: list[SkuFields], description: str | None = None
) -> Product:
    name = validation.text(name, "name")
    description = validation.optional_text(description, "description", max_length=2000)
    if not 1 <= len(skus) <= MAX_SKUS_PER_PRODUCT:
        raise InvalidInput(
            f"a product has between 1 and {MAX_SKUS_PER_PRODUCT} SKUs", field=["skus"]
        )
    rows = [_validated_sku(fields, index) for index, fields in enumerate(skus)]
    for column, label in (("code", "sku"), ("barcode", "barcode")):
        values = [row[column] for row in rows if row[column] is not None]
        repeated = [value for value, seen in Counter(values).items() if seen > 1]
        if repeated:
            raise InvalidInput(f"{label} {repeated[0]} appears twice", field=["skus"])
        taken = await uow.session.execute(
            select(getattr(Sku, column)).where(getattr(Sku, column).in_(values))
        )
        clash = taken.scalars().first()
        if clash is not None:
            raise AlreadyExists(label, clash, field=["skus"])

    product = Product(name=name, description=description)
    uow.session.add(product)
    await uow.session.flush()
    assert product.id is not None
    now = utcnow()
    await uow.session.execute(
        insert(Sku),
        [{**row, "product_id": product.id, "created_at": now, "updated_at": now} for row in rows],
    )
    uow.record(
        ProductCreated(product_id=product.id, name=name, skus=[str(row["code"]) for row in rows])
    )
    await uow.commit()
    return product


async def update_sku(uow: UnitOfWork, *, sku_id: int, changes: SkuChanges) -> Sku:
    values: dict[str, object] = {}
    if changes.name is not None:
        values["name"] = validation.text(changes.name, "name")
    if changes.price is not None:
        values["price"] = validation.money(changes.price, "price", minimum=0, maximum=MAX_PRICE)
    if changes.unit_cost is not None:
        values["unit_cost"] = validation.money(
            changes.unit_cost, "unitCost", minimum=0, maximum=MAX_PRICE
        )
    if changes.weight_grams is not None:
        values["weight_grams"] = validation.non_negative(
            changes.weight_grams, "weightGrams", maximum=1_000_000
        )
    if changes.barcode is not None:
        values["barcode"] = validation.code(changes.barcode, "barcode")
        clash = await uow.session.execute(
            select(col(Sku.id)).where(col(Sku.barcode) == values["barcode"], col(Sku.id) != sku_id)
        )
        if clash.first() is not None:
            raise AlreadyExists("barcode", values["barcode"], field=["barcode"])
    if changes.allow_backorder is not None:
        values["allow_backorder"] = changes.allow_backorder
    if changes.active is not None:
        values["active"] = changes.active
    if not values:
        raise InvalidInput("nothing to change", field=["input"])

    result = await uow.session.execute(
        update(Sku)
        .where(col(Sku.id) == sku_id)
        .values(**values, updated_at=utcnow())
        .returning(Sku)
        .execution_options(populate_existing=True)
    )
    sku = result.scalars().first()
    if sku is None:
        raise NotFound("SKU", sku_id, field=["id"])
    uow.record(SkuUpdated(sku_id=sku_id, sku=sku.code, changed=sorted(values)))
    await uow.commit()
    return sku
