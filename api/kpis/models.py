"""Summary tables the KPIs read instead of the raw rows: kept current from the event log by
``api.kpis.projection``, and rebuilt from the raw rows whenever asked."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, String
from sqlmodel import Field, SQLModel

from api.dbtypes import UtcDateTime

WHOLE_ORDER = 0
"""The location id of an order's fact row over all its shipments."""


class KpiOrderFact(SQLModel, table=True):
    """What became of one order: a row over all its shipments (location ``WHOLE_ORDER``) and a
    row per location it has a shipment at, over that location's shipments."""

    __tablename__ = "kpi_order_fact"
    __table_args__ = (Index("ix_kpi_order_fact_location_placed", "location_id", "placed_at"),)

    order_id: int = Field(primary_key=True)
    location_id: int = Field(primary_key=True)
    channel_id: int = Field(nullable=False)
    placed_at: datetime = Field(sa_type=UtcDateTime, nullable=False)
    currency: str = Field(sa_type=String(3), nullable=False)
    revenue: int = Field(nullable=False)
    cancelled: bool = Field(nullable=False)
    backordered: bool = Field(nullable=False)
    lines_decided: int = Field(nullable=False)
    lines_filled: int = Field(nullable=False)
    shipments: int = Field(nullable=False)
    shipped: int = Field(nullable=False)
    delivered: int = Field(nullable=False)
    on_time: int = Field(nullable=False)
    shipping_cost: int = Field(nullable=False)
    seconds_to_ship: float | None = Field(default=None)
    seconds_to_deliver: float | None = Field(default=None)
    returned: bool = Field(nullable=False)
    inaccurate: bool = Field(nullable=False)
    rating: int | None = Field(default=None)


class KpiStockDay(SQLModel, table=True):
    """One level's ledger over one UTC day, summed."""

    __tablename__ = "kpi_stock_day"

    location_id: int = Field(primary_key=True)
    sku_id: int = Field(primary_key=True)
    day: date = Field(primary_key=True)
    on_hand_change: int = Field(nullable=False)
    reserved_change: int = Field(nullable=False)
    shipped: int = Field(nullable=False)
    """Units shipped out of on hand."""
    on_hand_moments: float = Field(nullable=False)
    """The sum of on-hand changes times their moments (seconds since 1970): with the change, what a
    time-weighted average of the stock needs."""
