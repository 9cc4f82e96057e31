from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime

import strawberry

from api.catalog.models import Product, Sku
from schema.context import Info
from schema.relay import Node, encode_global_id
from schema.scalars import Money


@strawberry.type(name="Product")
class ProductType(Node):
    pk: strawberry.Private[int]
    name: str
    description: str | None
    created_at: datetime

    @strawberry.field
    async def skus(self, info: Info) -> list[SkuType]:
        return await info.context.loaders.skus_by_product_id.load(self.pk)

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

    @strawberry.field(graphql_type=ProductType)
    def product(self, info: Info) -> Awaitable[ProductType | None]:
        return info.context.loaders.product_by_id.load(self.product_id)

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
