"""Reads of suppliers and purchase orders: filtered pages and DataLoader batches."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from api.catalog.models import Sku
from api.purchasing.models import PurchaseOrder, PurchaseOrderLine, Supplier, SupplierSku
from api.reads import Reader, columns, load_by_key, load_groups_with


@dataclass(frozen=True)
class PurchaseOrderFilter:
    statuses: Sequence[str] | None = None
    location_id: int | None = None
    supplier_id: int | None = None


def purchase_orders_query(criteria: PurchaseOrderFilter) -> Select[Any]:
    statement = select(*columns(PurchaseOrder))
    if criteria.statuses:
        statement = statement.where(col(PurchaseOrder.status).in_(criteria.statuses))
    if criteria.location_id is not None:
        statement = statement.where(col(PurchaseOrder.location_id) == criteria.location_id)
    if criteria.supplier_id is not None:
        statement = statement.where(col(PurchaseOrder.supplier_id) == criteria.supplier_id)
    return statement


async def list_suppliers(session: AsyncSession) -> list[Supplier]:
    return list((await session.execute(select(Supplier).order_by(col(Supplier.code)))).scalars())


async def suppliers_by_id(reader: Reader, ids: Sequence[int]) -> list[Supplier | None]:
    return await load_by_key(reader, Supplier, col(Supplier.id), ids)


async def purchase_orders_by_id(reader: Reader, ids: Sequence[int]) -> list[PurchaseOrder | None]:
    return await load_by_key(reader, PurchaseOrder, col(PurchaseOrder.id), ids)


async def lines_by_purchase_order_id(
    reader: Reader, ids: Sequence[int]
) -> list[list[tuple[PurchaseOrderLine, str]]]:
    """Each order's lines, each with the currency its SKU is priced in (its cost's too)."""
    return await load_groups_with(
        reader,
        PurchaseOrderLine,
        col(PurchaseOrderLine.purchase_order_id),
        ids,
        _currency_of(col(PurchaseOrderLine.sku_id)),
        col(PurchaseOrderLine.id),
    )


async def skus_by_supplier_id(
    reader: Reader, ids: Sequence[int]
) -> list[list[tuple[SupplierSku, str]]]:
    """What each supplier sells, each with the currency of its SKU."""
    return await load_groups_with(
        reader,
        SupplierSku,
        col(SupplierSku.supplier_id),
        ids,
        _currency_of(col(SupplierSku.sku_id)),
        col(SupplierSku.sku_id),
    )


def _currency_of(sku_id: Any) -> Any:
    return (
        select(col(Sku.currency)).where(col(Sku.id) == sku_id).scalar_subquery().label("currency")
    )
