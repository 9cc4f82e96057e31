"""How fast a customer asked to receive an order."""

from __future__ import annotations

from enum import StrEnum


class ShippingSpeed(StrEnum):
    STANDARD = "STANDARD"
    EXPRESS = "EXPRESS"
