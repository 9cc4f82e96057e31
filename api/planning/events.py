"""A level's stock crossed a planning threshold."""

from __future__ import annotations

from dataclasses import dataclass

from api.events.models import EventType
from api.inventory.events import LevelEvent


@dataclass(frozen=True, kw_only=True)
class StockStateReached(LevelEvent):
    previous_state: str | None
    reorder_point: float
    daily_demand: float
    days_of_cover: float | None


@dataclass(frozen=True, kw_only=True)
class ReorderPointReached(StockStateReached):
    type = EventType.INVENTORY_REORDER_POINT_REACHED


@dataclass(frozen=True, kw_only=True)
class StockedOut(StockStateReached):
    type = EventType.INVENTORY_STOCKED_OUT


@dataclass(frozen=True, kw_only=True)
class Overstocked(StockStateReached):
    type = EventType.INVENTORY_OVERSTOCKED
