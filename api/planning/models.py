"""Each level's planning figures as last computed, and the stock state they put it in."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from api.dbtypes import UtcDateTime


class StockState(StrEnum):
    NORMAL = "NORMAL"
    AT_REORDER_POINT = "AT_REORDER_POINT"
    """Available and incoming units at or below the reorder point: time to order."""
    STOCKED_OUT = "STOCKED_OUT"
    """Nothing available where there is demand."""
    OVERSTOCKED = "OVERSTOCKED"
    """More days of cover than the overstock threshold."""


class LeadTimeSource(StrEnum):
    OBSERVED = "OBSERVED"
    """The mean of the supplier's recent purchase orders, ordered to received."""
    QUOTED = "QUOTED"
    """The supplier's own figure."""
    DEFAULT = "DEFAULT"
    """No supplier sells the SKU: the shop's default."""


class LevelPlan(SQLModel, table=True):
    __tablename__ = "level_plan"

    location_id: int = Field(foreign_key="location.id", primary_key=True)
    sku_id: int = Field(foreign_key="sku.id", primary_key=True)
    daily_demand: float = Field(nullable=False)
    """Forecast units a day over the lead time and review period."""
    reorder_point: float = Field(nullable=False)
    computed_at: datetime = Field(sa_type=UtcDateTime, nullable=False)
    stock_state: str = Field(default=StockState.NORMAL, sa_type=String(24), nullable=False)
