from __future__ import annotations

from datetime import datetime

import strawberry

from api.purchasing.models import (
    PurchaseOrder,
    PurchaseOrderLine,
    Supplier,
    SupplierSku,
    purchase_order_number,
)
from api.purchasing.statuses import PurchaseOrderStatus
from schema.catalog.types import SkuType
from schema.locations.types import LocationType
from schema.relations import related
from schema.relay import Node, encode_global_id
from schema.scalars import Money

strawberry.enum(PurchaseOrderStatus)


@strawberry.type(name="SupplierSku", description="A SKU a supplier sells, and on what terms.")
class SupplierSkuType:
    sku_id: strawberry.Private[int]
    pack_size: int = strawberry.field(description="It is ordered in whole packs of this many.")
    unit_cost: Money

    sku = related("sku_by_id", "sku_id", SkuType)

    @classmethod
    def from_row(cls, pair: tuple[SupplierSku, str]) -> SupplierSkuType:
        row, currency = pair
        return cls(
            sku_id=row.sku_id,
            pack_size=row.pack_size,
            unit_cost=Money(amount=row.unit_cost, currency=currency),
        )


@strawberry.type(name="Supplier", description="Where purchase orders go.")
class SupplierType(Node):
    pk: strawberry.Private[int]
    code: str
    name: str
    lead_time_days: int = strawberry.field(
        description="Days from ordering to arrival, as the supplier quotes them."
    )
    created_at: datetime

    skus = related(
        "skus_by_supplier_id",
        "pk",
        list[SupplierSkuType],
        description="What it sells; replenishment orders each SKU from its cheapest supplier.",
    )

    @classmethod
    def from_row(cls, row: Supplier) -> SupplierType:
        assert row.id is not None
        return cls(
            id=encode_global_id("Supplier", row.id),
            pk=row.id,
            code=row.code,
            name=row.name,
            lead_time_days=row.lead_time_days,
            created_at=row.created_at,
        )


@strawberry.type(name="PurchaseOrderLine")
class PurchaseOrderLineType:
    sku_id: strawberry.Private[int]
    quantity: int
    quantity_received: int
    unit_cost: Money

    sku = related("sku_by_id", "sku_id", SkuType)
    quantity_outstanding: int = strawberry.field(description="Units still on their way.")

    @classmethod
    def from_row(cls, pair: tuple[PurchaseOrderLine, str]) -> PurchaseOrderLineType:
        row, currency = pair
        return cls(
            sku_id=row.sku_id,
            quantity=row.quantity,
            quantity_received=row.quantity_received,
            unit_cost=Money(amount=row.unit_cost, currency=currency),
            quantity_outstanding=row.outstanding,
        )


@strawberry.type(
    name="PurchaseOrder", description="Stock ordered from a supplier for one location."
)
class PurchaseOrderType(Node):
    pk: strawberry.Private[int]
    supplier_id: strawberry.Private[int]
    location_id: strawberry.Private[int]
    number: str
    status: PurchaseOrderStatus
    expected_at: datetime
    created_at: datetime
    ordered_at: datetime | None
    received_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str | None

    supplier = related("supplier_by_id", "supplier_id", SupplierType)
    location = related("location_by_id", "location_id", LocationType)
    lines = related("lines_by_purchase_order_id", "pk", list[PurchaseOrderLineType])

    @classmethod
    def from_row(cls, row: PurchaseOrder) -> PurchaseOrderType:
        assert row.id is not None
        return cls(
            id=encode_global_id("PurchaseOrder", row.id),
            pk=row.id,
            supplier_id=row.supplier_id,
            location_id=row.location_id,
            number=purchase_order_number(row.id),
            status=PurchaseOrderStatus(row.status),
            expected_at=row.expected_at,
            created_at=row.created_at,
            ordered_at=row.ordered_at,
            received_at=row.received_at,
            cancelled_at=row.cancelled_at,
            cancel_reason=row.cancel_reason,
        )
