"""What happens to an order and its shipments from placement to cancellation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from api.events.declared import DomainEvent, about, named
from api.events.models import EventType
from api.inventory.events import LevelHeld


@dataclass(frozen=True, kw_only=True)
class OrderEvent(DomainEvent):
    aggregate_type = "order"
    order_id: int = about()
    number: str


@dataclass(frozen=True, kw_only=True)
class LineOrdered:
    sku: str
    quantity: int


@dataclass(frozen=True, kw_only=True)
class OrderPlaced(OrderEvent):
    type = EventType.ORDER_PLACED
    status: str
    total: int
    currency: str
    customer_id: int
    channel: str
    lines: list[LineOrdered]
    allocations: list[Mapping[str, Any]]
    """The routing decision's allocations, as ``Order.routing_decision`` keeps them."""
    backorders: Mapping[str, int]
    levels: list[LevelHeld]


@dataclass(frozen=True, kw_only=True)
class OrderStatusChanged(OrderEvent):
    type = EventType.ORDER_STATUS_CHANGED
    previous: str = named("from")
    current: str = named("to")


@dataclass(frozen=True, kw_only=True)
class OrderDelayed(OrderEvent):
    type = EventType.ORDER_DELAYED
    promised_at: datetime
    status: str


@dataclass(frozen=True, kw_only=True)
class LineCancelled:
    line_id: int
    quantity: int


@dataclass(frozen=True, kw_only=True)
class _Cancellation(OrderEvent):
    reason: str
    status: str
    lines: list[LineCancelled]
    total: int
    levels: list[LevelHeld]


@dataclass(frozen=True, kw_only=True)
class OrderCancelled(_Cancellation):
    type = EventType.ORDER_CANCELLED


@dataclass(frozen=True, kw_only=True)
class OrderLinesCancelled(_Cancellation):
    type = EventType.ORDER_LINES_CANCELLED


@dataclass(frozen=True, kw_only=True)
class OrderHeld(OrderEvent):
    type = EventType.ORDER_HELD
    reason: str
    status: str


@dataclass(frozen=True, kw_only=True)
class OrderHoldReleased(OrderEvent):
    type = EventType.ORDER_HOLD_RELEASED
    status: str


@dataclass(frozen=True, kw_only=True)
class OrderEdited(OrderEvent):
    type = EventType.ORDER_EDITED
    lines: Mapping[str, int]
    address_changed: bool
    previous_total: int
    total: int
    allocations: list[Mapping[str, Any]]


@dataclass(frozen=True, kw_only=True)
class BackorderAllocated(OrderEvent):
    type = EventType.BACKORDER_ALLOCATED
    sku: str
    quantity: int
    location_id: int
    still_backordered: int


@dataclass(frozen=True, kw_only=True)
class ShipmentEvent(DomainEvent):
    aggregate_type = "shipment"
    shipment_id: int = about()
    order_id: int


@dataclass(frozen=True, kw_only=True)
class ShipmentCreated(ShipmentEvent):
    type = EventType.SHIPMENT_CREATED
    location_id: int
    status: str


@dataclass(frozen=True, kw_only=True)
class ShipmentCancelled(ShipmentEvent):
    type = EventType.SHIPMENT_CANCELLED
    reason: str
