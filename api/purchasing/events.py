"""What happens to suppliers and purchase orders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from api.events.declared import DomainEvent, about
from api.events.models import EventType
from api.inventory.events import LevelSnapshot


@dataclass(frozen=True, kw_only=True)
class SupplierEvent(DomainEvent):
    aggregate_type = "supplier"
    supplier_id: int = about()


@dataclass(frozen=True, kw_only=True)
class SupplierCreated(SupplierEvent):
    type = EventType.SUPPLIER_CREATED
    code: str
    name: str
    lead_time_days: int


@dataclass(frozen=True, kw_only=True)
class SupplierSkuSet(SupplierEvent):
    type = EventType.SUPPLIER_SKU_SET
    sku: str
    pack_size: int
    unit_cost: int


@dataclass(frozen=True, kw_only=True)
class SupplierSkuRemoved(SupplierEvent):
    type = EventType.SUPPLIER_SKU_REMOVED
    sku: str


@dataclass(frozen=True, kw_only=True)
class PurchasedUnits:
    sku: str
    quantity: int
    unit_cost: int


@dataclass(frozen=True, kw_only=True)
class PurchaseOrderEvent(DomainEvent):
    aggregate_type = "purchase_order"
    purchase_order_id: int = about()
    number: str


@dataclass(frozen=True, kw_only=True)
class PurchaseOrderCreated(PurchaseOrderEvent):
    type = EventType.PURCHASE_ORDER_CREATED
    supplier: str
    location_id: int
    expected_at: datetime
    lines: list[PurchasedUnits]


@dataclass(frozen=True, kw_only=True)
class PurchaseOrderMoved(PurchaseOrderEvent):
    status: str
    levels: list[LevelSnapshot]


@dataclass(frozen=True, kw_only=True)
class PurchaseOrderOrdered(PurchaseOrderMoved):
    type = EventType.PURCHASE_ORDER_ORDERED


@dataclass(frozen=True, kw_only=True)
class PurchaseOrderReceived(PurchaseOrderMoved):
    type = EventType.PURCHASE_ORDER_RECEIVED
    received: list[PurchasedUnits]


@dataclass(frozen=True, kw_only=True)
class PurchaseOrderCancelled(PurchaseOrderMoved):
    type = EventType.PURCHASE_ORDER_CANCELLED
    reason: str
