"""Inventory's quantity buckets and the states of a transfer."""

from __future__ import annotations

from enum import StrEnum


class InventoryBucket(StrEnum):
    """The quantity states a level keeps; ``available`` is derived, never stored."""

    ON_HAND = "on_hand"
    RESERVED = "reserved"
    INCOMING = "incoming"
    DAMAGED = "damaged"
    QUALITY_CONTROL = "quality_control"
    DISCREPANCY = "discrepancy"


class TransferStatus(StrEnum):
    IN_TRANSIT = "IN_TRANSIT"
    RECEIVED = "RECEIVED"
