"""Stock reports: levels running low, and stock that does not move.

Sales are the units the ledger shows shipped from each level over a recent window; cover is
how many days what is free (on hand less reserved) lasts at that rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select

from api.catalog.models import Sku
from api.inventory.models import InventoryLevel, InventoryMovement, MovementKind
from api.inventory.rules import available, free_to_move
from api.inventory.statuses import InventoryBucket
from api.locations.models import Location
from api.reads import Reader, columns
from api.validation import in_range

MAX_ROWS = 10_000


class LowStockReason(StrEnum):
    BELOW_SAFETY_STOCK = "BELOW_SAFETY_STOCK"
    """Less is free than the safety stock: nothing is left to sell."""
    LOW_COVER = "LOW_COVER"
    """What is free lasts fewer days than asked at the recent rate of sales."""


@dataclass(frozen=True)
class StockRow:
    location_id: int
    location_code: str
    sku_id: int
    sku: str
    sku_name: str
    on_hand: int
    reserved: int
    incoming: int
    safety_stock: int
    units_shipped: int
    sales_days: int
    last_shipped_at: datetime | None
    unit_cost: int
    currency: str

    @property
    def available(self) -> int:
        return available(self.on_hand, self.reserved, self.safety_stock)

    @property
    def daily_sales(self) -> float:
        return self.units_shipped / self.sales_days

    @property
    def days_of_cover(self) -> float | None:
        """None when nothing shipped in the window: the stock lasts as long as nobody buys."""
        if not self.units_shipped:
            return None
        return free_to_move(self.on_hand, self.reserved) / self.daily_sales

    @property
    def stock_value(self) -> int:
        return self.on_hand * self.unit_cost

    @property
    def reason(self) -> LowStockReason | None:
        if self.on_hand - self.reserved < self.safety_stock:
            return LowStockReason.BELOW_SAFETY_STOCK
        return LowStockReason.LOW_COVER


def _levels(now: datetime, sales_days: int, location_id: int | None) -> tuple[Select[Any], Any]:
    """Every level of an active SKU with its shipments over the last ``sales_days`` (and the
    last one ever), and the free units and sold units as SQL expressions for the filters."""
    movement = columns(InventoryMovement)
    since = now - timedelta(days=sales_days)
    shipped = (
        select(
            movement.location_id,
            movement.sku_id,
            func.sum(case((movement.created_at >= since, -movement.quantity), else_=0)).label(
                "units"
            ),
            func.max(movement.created_at).label("last"),
        )
        .where(
            movement.kind == MovementKind.SHIPMENT,
            movement.bucket == InventoryBucket.ON_HAND,
            movement.created_at < now,
        )
        .group_by(movement.location_id, movement.sku_id)
        .subquery("shipped")
    )
    level, sku, location = columns(InventoryLevel), columns(Sku), columns(Location)
    units = func.coalesce(shipped.c.units, 0)
    statement = (
        select(
            level.location_id,
            location.code.label("location_code"),
            level.sku_id,
            sku.code.label("sku"),
            sku.name.label("sku_name"),
            level.on_hand,
            level.reserved,
            level.incoming,
            level.safety_stock,
            units.label("units_shipped"),
            shipped.c["last"].label("last_shipped_at"),
            sku.unit_cost,
            sku.currency,
        )
        .join(sku.id.table, sku.id == level.sku_id)
        .join(location.id.table, location.id == level.location_id)
        .outerjoin(
            shipped,
            and_(shipped.c.location_id == level.location_id, shipped.c.sku_id == level.sku_id),
        )
        .where(sku.active)
    )
    if location_id is not None:
        statement = statement.where(level.location_id == location_id)
    return statement, (level.on_hand - level.reserved, units)


def _rows(result: Any, sales_days: int) -> list[StockRow]:
    return [StockRow(**row._mapping, sales_days=sales_days) for row in result]


async def low_stock(
    reader: Reader,
    now: datetime,
    *,
    location_id: int | None = None,
    cover_days: int = 14,
    sales_days: int = 28,
    limit: int = 100,
) -> list[StockRow]:
    """Levels whose free units are below their safety stock, or last fewer than
    ``cover_days`` at the rate of the last ``sales_days``: the shortest cover first (those below
    safety stock with nothing selling after them), then the fewest free units."""
    in_range(cover_days, "coverDays", 1, 365)
    in_range(sales_days, "salesDays", 1, 365)
    in_range(limit, "first", 1, MAX_ROWS)
    statement, (free, units) = _levels(now, sales_days, location_id)
    cover = case((units > 0, free * float(sales_days) / units))
    statement = (
        statement.where(
            or_(
                free < statement.selected_columns.safety_stock,
                and_(units > 0, free * sales_days < cover_days * units),
            )
        )
        .order_by(cover.asc().nulls_last(), free, statement.selected_columns.sku)
        .limit(limit)
    )
    return _rows(await reader.execute(statement), sales_days)


async def slow_movers(
    reader: Reader,
    now: datetime,
    *,
    location_id: int | None = None,
    sales_days: int = 90,
    cover_days: int = 180,
    limit: int = 100,
) -> list[StockRow]:
    """Levels with stock on hand that nothing shipped from over the last ``sales_days``, or
    whose stock lasts more than ``cover_days`` at that rate: the most money standing still
    first."""
    in_range(cover_days, "coverDays", 1, 3650)
    in_range(sales_days, "salesDays", 1, 365)
    in_range(limit, "first", 1, MAX_ROWS)
    statement, (free, units) = _levels(now, sales_days, location_id)
    level = statement.selected_columns
    statement = (
        statement.where(
            level.on_hand > 0,
            or_(units == 0, free * sales_days > cover_days * units),
        )
        .order_by((level.on_hand * level.unit_cost).desc(), level.sku, level.location_id)
        .limit(limit)
    )
    return _rows(await reader.execute(statement), sales_days)
