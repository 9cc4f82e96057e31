"""Facts inventory announces to the contexts that react to them (``api.events.reactions``)."""

from __future__ import annotations

from dataclasses import dataclass

from api.inventory.models import InventoryLevel


@dataclass(frozen=True)
class StockArrived:
    """Units were added to a level's on-hand (a receipt, a transfer, a purchase order)."""

    level: InventoryLevel
    sku_code: str
