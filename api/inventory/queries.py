from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from api.catalog.models import Sku
from api.inventory.models import InventoryLevel, InventoryMovement, Transfer
from api.inventory.statuses import InventoryBucket
from api.reads import Reader, as_records, columns, load_by_key

Level = InventoryLevel


def inventory_levels_query(
    *,
    location_id: int | None = None,
    sku_code: str | None = None,
    below_safety_stock: bool | None = None,
) -> Select[InventoryLevel]:
    statement = select(InventoryLevel)
    if location_id is not None:
        statement = statement.where(col(Level.location_id) == location_id)
    if sku_code is not None:
        sku_id = select(col(Sku.id)).where(col(Sku.code) == sku_code).scalar_subquery()
        statement = statement.where(col(Level.sku_id) == sku_id)
    if below_safety_stock is not None:
        below = col(Level.on_hand) - col(Level.reserved) < col(Level.safety_stock)
        statement = statement.where(below if below_safety_stock else ~below)
    return statement


def transfers_query(
    *, statuses: Sequence[str] = (), location_id: int | None = None, sku_id: int | None = None
) -> Select[Any]:
    """Transfers in the given statuses, leaving or reaching a location, of a SKU."""
    statement = select(*columns(Transfer))
    if statuses:
        statement = statement.where(col(Transfer.status).in_(statuses))
    if location_id is not None:
        statement = statement.where(
            (col(Transfer.from_location_id) == location_id)
            | (col(Transfer.to_location_id) == location_id)
        )
    if sku_id is not None:
        statement = statement.where(col(Transfer.sku_id) == sku_id)
    return statement


def movements_query(*, location_id: int, sku_id: int) -> Select[Any]:
    """A level's ledger: every change of one of its buckets."""
    return select(*columns(InventoryMovement)).where(
        col(InventoryMovement.location_id) == location_id,
        col(InventoryMovement.sku_id) == sku_id,
    )


async def inventory_levels_by_id(reader: Reader, ids: Sequence[int]) -> list[InventoryLevel | None]:
    return await load_by_key(reader, InventoryLevel, col(InventoryLevel.id), ids)


async def transfers_by_id(reader: Reader, ids: Sequence[int]) -> list[Transfer | None]:
    return await load_by_key(reader, Transfer, col(Transfer.id), ids)


async def levels_for_sku(session: AsyncSession, sku_id: int) -> list[InventoryLevel]:
    result = await session.execute(
        select(InventoryLevel).where(col(Level.sku_id) == sku_id).order_by(col(Level.location_id))
    )
    return list(result.scalars())


@dataclass(frozen=True)
class LevelSnapshot:
    """A level's stock buckets as the ledger says they stood at a moment."""

    location_id: int
    sku: Sku
    at: datetime
    on_hand: int
    reserved: int
    incoming: int
    damaged: int
    quality_control: int
    discrepancy: int


async def inventory_level_at(
    session: AsyncSession, *, location_id: int, sku: Sku, at: datetime
) -> LevelSnapshot:
    result = await session.execute(
        select(col(InventoryMovement.bucket), func.sum(col(InventoryMovement.quantity)))
        .where(
            col(InventoryMovement.location_id) == location_id,
            col(InventoryMovement.sku_id) == sku.id,
            col(InventoryMovement.created_at) <= at,
        )
        .group_by(col(InventoryMovement.bucket))
    )
    totals = {bucket: int(total) for bucket, total in result.all()}
    return LevelSnapshot(
        location_id=location_id,
        sku=sku,
        at=at,
        **{bucket.value: totals.get(bucket.value, 0) for bucket in InventoryBucket},
    )


async def level_at(reader: Reader, location_id: int, sku_id: int) -> InventoryLevel | None:
    result = await reader.execute(
        select(*columns(InventoryLevel)).where(
            col(InventoryLevel.location_id) == location_id, col(InventoryLevel.sku_id) == sku_id
        )
    )
    row = result.first()
    return None if row is None else as_records([row], InventoryLevel)[0]
