"""What an event is about: the order, shipment and inventory levels a subscriber may follow."""

from __future__ import annotations

from typing import Any

from api.events.models import Event


def order_id_of(event: Event) -> int | None:
    """The order an event concerns: its own aggregate, or the order of the shipment it moves."""
    if event.aggregate_type == "order":
        return event.aggregate_id
    order_id = event.payload.get("orderId")
    return order_id if isinstance(order_id, int) else None


def shipment_id_of(event: Event) -> int | None:
    return event.aggregate_id if event.aggregate_type == "shipment" else None


def levels_of(event: Event) -> list[tuple[int, int]]:
    """The (location id, SKU id) of each inventory level the event changed."""
    payload: dict[str, Any] = event.payload
    if event.aggregate_type == "inventory_level" and "level" not in payload:
        listed = [payload]
    elif "level" in payload:
        listed = [payload["level"]]
    else:
        listed = payload.get("levels") or []
    return [
        (level["locationId"], level["skuId"])
        for level in listed
        if isinstance(level, dict) and "locationId" in level and "skuId" in level
    ]
