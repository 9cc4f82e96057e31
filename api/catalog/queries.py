from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from api.catalog.models import Product, Sku
from api.reads import Reader, load_by_key, load_groups


def skus_query(*, search: str | None = None, active: bool | None = None) -> Select[Sku]:
    """SKUs whose code starts with, or whose name or barcode contains, the search text."""
    statement = select(Sku)
    if search:
        needle = search.strip().lower().replace("%", r"\%").replace("_", r"\_")
        statement = statement.where(
            or_(
                func.lower(col(Sku.code)).like(f"{needle}%", escape="\\"),
                func.lower(col(Sku.name)).like(f"%{needle}%", escape="\\"),
                col(Sku.barcode) == search.strip(),
            )
        )
    if active is not None:
        statement = statement.where(col(Sku.active) == active)
    return statement


async def skus_by_id(reader: Reader, ids: Sequence[int]) -> list[Sku | None]:
    return await load_by_key(reader, Sku, col(Sku.id), ids)


async def skus_by_code(reader: Reader, codes: Sequence[str]) -> list[Sku | None]:
    return await load_by_key(reader, Sku, col(Sku.code), codes)


async def products_by_id(reader: Reader, ids: Sequence[int]) -> list[Product | None]:
    return await load_by_key(reader, Product, col(Product.id), ids)


async def skus_by_product_id(reader: Reader, ids: Sequence[int]) -> list[list[Sku]]:
    return await load_groups(reader, Sku, col(Sku.product_id), ids, order_by=col(Sku.id))


async def sku_by_code(session: AsyncSession, code: str) -> Sku | None:
    return (await session.execute(select(Sku).where(col(Sku.code) == code))).scalar_one_or_none()


def products_query() -> Select[Product]:
    return select(Product)
