from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from api.catalog.models import Product, Sku
from schema.relations import related
from schema.relay import Node, encode_global_id
from schema.scalars import Money


@strawberry.type(name="Product")
class ProductType(Node):
    pk: strawberry.Private[int]
    name: str
    description: str | None
    created_at: datetime

    skus = related(
        "skus_by_product_id",
        "pk",
        list[Annotated["SkuType", strawberry.lazy("schema.catalog.types")]],
    )

    @classmethod
    def from_row(cls, row: Product) -> ProductType:
        assert row.id is not None
        return cls(
            id=encode_global_id("Product", row.id),
            pk=row.id,
            name=row.name,
            description=row.description,
            created_at=row.created_at,
        )


@strawberry.type(name="Sku", description="A sellable variant of a product.")
class SkuType(Node):
    pk: strawberry.Private[int]
    product_id: strawberry.Private[int]
    code: str = strawberry.field(description="The SKU code partners use in inputs.")
    name: str
    price: Money
    unit_cost: Money
    weight_grams: int
    barcode: str | None
    allow_backorder: bool
    active: bool
    created_at: datetime
    updated_at: datetime

    product = related("product_by_id", "product_id", ProductType)

    @classmethod
    def from_row(cls, row: Sku) -> SkuType:
        assert row.id is not None
        return cls(
            id=encode_global_id("Sku", row.id),
            pk=row.id,
            product_id=row.product_id,
            code=row.code,
            name=row.name,
            price=Money(amount=row.price, currency=row.currency),
            unit_cost=Money(amount=row.unit_cost, currency=row.currency),
            weight_grams=row.weight_grams,
            barcode=row.barcode,
            allow_backorder=row.allow_backorder,
            active=row.active,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )
