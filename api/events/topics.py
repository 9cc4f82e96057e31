"""What an event is about: the order, shipment and inventory levels a subscriber may follow."""

from __future__ import annotations

from typing import Any, Protocol

from api.events.models import Event


class AboutSomething(Protocol):
    """An event, written or about to be."""

    @property
    def aggregate_type(self) -> str: ...
    @property
    def aggregate_id(self) -> int: ...
    @property
    def payload(self) -> dict[str, Any]: ...


def order_id_of(event: AboutSomething) -> int | None:
    """The order an event concerns: its own aggregate, or the order of the shipment (or
    return) it is about. Written beside the event (``Event.order_id``) when it is logged."""
    if event.aggregate_type == "order":
        return event.aggregate_id
    order_id = event.payload.get("orderId")
    return order_id if isinstance(order_id, int) and not isinstance(order_id, bool) else None


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
