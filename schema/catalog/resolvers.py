from __future__ import annotations

import strawberry
from sqlmodel import col

from api.auth import Permission
from api.catalog import queries, service
from api.catalog.models import Product, Sku
from schema import fields
from schema.catalog.types import ProductType, SkuType
from schema.context import Info
from schema.errors import UserError
from schema.relay import Connection, connection, decode_id


@strawberry.type
class CatalogQueries:
    @fields.query(
        Permission.CATALOG_READ,
        description="SKUs whose code starts with, or whose name contains, `query`.",
    )
    async def skus(
        self,
        info: Info,
        query: str | None = None,
        active: bool | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[SkuType]:
        return await connection(
            info,
            queries.skus_query(search=query, active=active),
            col(Sku.id),
            SkuType.from_row,
            first=first,
            after=after,
            last=last,
            before=before,
        )

    @fields.query(Permission.CATALOG_READ)
    async def sku(self, info: Info, code: str) -> SkuType | None:
        async with info.context.database.session() as session:
            row = await queries.sku_by_code(session, code)
        return SkuType.from_row(row) if row else None

    @fields.query(Permission.CATALOG_READ)
    async def products(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[ProductType]:
        return await connection(
            info,
            queries.products_query(),
            col(Product.id),
            ProductType.from_row,
            first=first,
            after=after,
            last=last,
            before=before,
        )


@strawberry.input
class SkuInput:
    sku: str = strawberry.field(description="The SKU code, unique across the catalogue.")
    name: str
    price: int = strawberry.field(description="Minor units.")
    unit_cost: int = 0
    weight_grams: int = 0
    barcode: str | None = None
    allow_backorder: bool = False
    currency: str = "EUR"


@strawberry.input
class CreateProductInput:
    name: str
    skus: list[SkuInput]
    description: str | None = None


@strawberry.type
class CreateProductPayload:
    product: ProductType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class UpdateSkuInput:
    id: strawberry.ID
    name: str | None = None
    price: int | None = None
    unit_cost: int | None = None
    weight_grams: int | None = None
    barcode: str | None = None
    allow_backorder: bool | None = None
    active: bool | None = None


@strawberry.type
class UpdateSkuPayload:
    sku: SkuType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CatalogMutations:
    @fields.mutation(Permission.CATALOG_WRITE)
    async def create_product(self, info: Info, input: CreateProductInput) -> CreateProductPayload:
        skus = [
            service.SkuFields(
                code=sku.sku,
                name=sku.name,
                price=sku.price,
                unit_cost=sku.unit_cost,
                weight_grams=sku.weight_grams,
                barcode=sku.barcode,
                allow_backorder=sku.allow_backorder,
                currency=sku.currency,
            )
            for sku in input.skus
        ]
        async with info.context.unit_of_work() as uow:
            product = await service.create_product(
                uow, name=input.name, description=input.description, skus=skus
            )
        return CreateProductPayload(product=ProductType.from_row(product))

    @fields.mutation(Permission.CATALOG_WRITE)
    async def update_sku(self, info: Info, input: UpdateSkuInput) -> UpdateSkuPayload:
        sku_id = decode_id(input.id, "Sku", "id")
        changes = service.SkuChanges(
            name=input.name,
            price=input.price,
            unit_cost=input.unit_cost,
            weight_grams=input.weight_grams,
            barcode=input.barcode,
            allow_backorder=input.allow_backorder,
            active=input.active,
        )
        async with info.context.unit_of_work() as uow:
            sku = await service.update_sku(uow, sku_id=sku_id, changes=changes)
        return UpdateSkuPayload(sku=SkuType.from_row(sku))
