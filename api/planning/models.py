"""Each level's planning figures as last computed, and the stock state they put it in."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from api.dbtypes import UtcDateTime
from api.planning.statuses import StockState


class LevelPlan(SQLModel, table=True):
    __tablename__ = "level_plan"

    location_id: int = Field(foreign_key="location.id", primary_key=True)
    sku_id: int = Field(foreign_key="sku.id", primary_key=True)
    daily_demand: float = Field(nullable=False)
    """Forecast units a day over the lead time and review period."""
    reorder_point: float = Field(nullable=False)
    computed_at: datetime = Field(sa_type=UtcDateTime, nullable=False)
    stock_state: str = Field(default=StockState.NORMAL, sa_type=String(24), nullable=False)
