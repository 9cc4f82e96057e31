"""A level's stock state and where its lead time came from."""

from __future__ import annotations

from enum import StrEnum


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
