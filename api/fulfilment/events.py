"""What happens on the warehouse floor and on the way to the customer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from api.events.declared import DomainEvent, about, named
from api.events.models import EventType
from api.orders.events import OrderEvent, ShipmentEvent


@dataclass(frozen=True, kw_only=True)
class PickListCreated(DomainEvent):
    type = EventType.PICK_LIST_CREATED
    aggregate_type = "pick_list"
    pick_list_id: int = about()
    location_id: int
    shipments: list[int]
    tasks: int
    walking_distance_m: float
    naive_walking_distance_m: float


@dataclass(frozen=True, kw_only=True)
class TaskPicked:
    task_id: int
    quantity: int


@dataclass(frozen=True, kw_only=True)
class PicksConfirmed(DomainEvent):
    type = EventType.PICKS_CONFIRMED
    aggregate_type = "pick_list"
    pick_list_id: int = about()
    picks: list[TaskPicked]
    short: int
    status: str


@dataclass(frozen=True, kw_only=True)
class Resourced:
    location_id: int
    quantity: int


@dataclass(frozen=True, kw_only=True)
class ShortPicked(OrderEvent):
    type = EventType.SHORT_PICKED
    pick_list_id: int | None
    sku: str
    location_id: int
    missing: int
    resourced: list[Resourced]
    backordered: int


@dataclass(frozen=True, kw_only=True)
class ShipmentStatusChanged(ShipmentEvent):
    type = EventType.SHIPMENT_STATUS_CHANGED
    previous: str = named("from")
    current: str = named("to")


@dataclass(frozen=True, kw_only=True)
class ShipmentPacked(ShipmentEvent):
    type = EventType.SHIPMENT_PACKED
    packages: int
    weight_grams: int
    units: Mapping[str, int]


@dataclass(frozen=True, kw_only=True)
class ShipmentShipped(ShipmentEvent):
    type = EventType.SHIPMENT_SHIPPED
    carrier: str
    service: str
    tracking_number: str
    shipping_cost: int
    captured: int


@dataclass(frozen=True, kw_only=True)
class _CarrierReport(ShipmentEvent):
    tracking_number: str
    status: str
    occurred_at: datetime
    description: str | None
    applied: bool


@dataclass(frozen=True, kw_only=True)
class ShipmentTrackingUpdated(_CarrierReport):
    type = EventType.SHIPMENT_TRACKING_UPDATED


@dataclass(frozen=True, kw_only=True)
class ShipmentDelivered(_CarrierReport):
    type = EventType.SHIPMENT_DELIVERED


@dataclass(frozen=True, kw_only=True)
class FeedbackRequested(OrderEvent):
    type = EventType.FEEDBACK_REQUESTED
    email: str
