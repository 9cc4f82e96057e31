from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from api.auth import Permission
from api.fulfilment.endpoints import label_path
from api.fulfilment.models import Package, PickList, PickTask, TrackingEvent
from api.fulfilment.statuses import PickListStatus, PickTaskStatus
from api.orders.models import Allocation, Shipment
from api.orders.statuses import AllocationStatus, ShipmentStatus
from schema.catalog.types import SkuType
from schema.context import Info
from schema.locations.types import BinType, LocationType
from schema.permissions import allow
from schema.relations import RELATION, Relation, now_or_later, related
from schema.relay import Node, encode_global_id
from schema.scalars import Money

if TYPE_CHECKING:
    from schema.orders.types import OrderType

for enum in (ShipmentStatus, PickListStatus, PickTaskStatus):
    strawberry.enum(enum)

OrderRef = Annotated["OrderType", strawberry.lazy("schema.orders.types")]


@strawberry.type(description="Units of one order line travelling in a shipment.")
class ShipmentLine:
    order_line_pk: strawberry.Private[int]
    sku_id: strawberry.Private[int]
    quantity: int
    status: AllocationStatus = strawberry.field(
        description="RESERVED until picked, PICKED, then SHIPPED; RELEASED when it left."
    )
    sku = related("sku_by_id", "sku_id", SkuType)

    @strawberry.field
    def order_line_id(self) -> strawberry.ID:
        return encode_global_id("OrderLine", self.order_line_pk)

    @classmethod
    def from_row(cls, row: Allocation) -> ShipmentLine:
        return cls(
            order_line_pk=row.order_line_id,
            sku_id=row.sku_id,
            quantity=row.quantity,
            status=AllocationStatus(row.status),
        )


@strawberry.type(name="Package")
class PackageType:
    weight_grams: int
    length_cm: int | None
    width_cm: int | None
    height_cm: int | None

    @classmethod
    def from_row(cls, row: Package) -> PackageType:
        return cls(
            weight_grams=row.weight_grams,
            length_cm=row.length_cm,
            width_cm=row.width_cm,
            height_cm=row.height_cm,
        )


@strawberry.type(name="TrackingEvent", description="What the carrier reported, and when.")
class TrackingEventType:
    status: ShipmentStatus
    occurred_at: datetime
    description: str | None

    @classmethod
    def from_row(cls, row: TrackingEvent) -> TrackingEventType:
        return cls(
            status=ShipmentStatus(row.status),
            occurred_at=row.occurred_at,
            description=row.description,
        )


@strawberry.type(name="Shipment", description="What one location sends for one order.")
class ShipmentType(Node):
    pk: strawberry.Private[int]
    order_pk: strawberry.Private[int]
    location_id: strawberry.Private[int]
    pick_list_pk: strawberry.Private[int | None]
    status: ShipmentStatus
    carrier: str | None
    service: str | None
    tracking_number: str | None
    shipping_cost: Money
    estimated_delivery_at: datetime | None
    created_at: datetime
    packed_at: datetime | None
    shipped_at: datetime | None
    delivered_at: datetime | None

    order = related("order_by_id", "order_pk", OrderRef)
    location = related("location_by_id", "location_id", LocationType)
    lines = related("shipment_lines_by_shipment_id", "pk", list[ShipmentLine])
    packages = related("packages_by_shipment_id", "pk", list[PackageType])
    tracking_events = related(
        "tracking_events_by_shipment_id",
        "pk",
        list[TrackingEventType],
        description="The carrier's reports, oldest first.",
    )
    pick_list = related(
        "pick_list_by_id",
        "pick_list_pk",
        Annotated["PickListType", strawberry.lazy("schema.fulfilment.types")] | None,
        extensions=[allow(Permission.ORDERS_READ)],
    )

    @strawberry.field(
        description="A link to the label PDF that opens without a token, for a while "
        "(OMS_LABEL_URL_LIFETIME_HOURS); null until the shipment is shipped."
    )
    def label_url(self, info: Info) -> str | None:
        if self.tracking_number is None:
            return None
        return label_path(self.pk, info.context.settings)

    @classmethod
    def from_row(cls, row: Shipment) -> ShipmentType:
        assert row.id is not None
        return cls(
            id=encode_global_id("Shipment", row.id),
            pk=row.id,
            order_pk=row.order_id,
            location_id=row.location_id,
            pick_list_pk=row.pick_list_id,
            status=ShipmentStatus(row.status),
            carrier=row.carrier,
            service=row.service,
            tracking_number=row.tracking_number,
            shipping_cost=Money(amount=row.shipping_cost, currency=row.currency),
            estimated_delivery_at=row.estimated_delivery_at,
            created_at=row.created_at,
            packed_at=row.packed_at,
            shipped_at=row.shipped_at,
            delivered_at=row.delivered_at,
        )


@strawberry.type(name="PickTask", description="One SKU to take from one bin for the whole wave.")
class PickTaskType(Node):
    sku_id: strawberry.Private[int]
    bin_id: strawberry.Private[int | None]
    sequence: int = strawberry.field(description="Position in the walk, from 1.")
    quantity: int
    quantity_picked: int | None
    status: PickTaskStatus

    sku = related("sku_by_id", "sku_id", SkuType)
    bin = related("bin_by_id", "bin_id", BinType | None)

    @classmethod
    def from_row(cls, row: PickTask) -> PickTaskType:
        assert row.id is not None
        return cls(
            id=encode_global_id("PickTask", row.id),
            sku_id=row.sku_id,
            bin_id=row.bin_id,
            sequence=row.sequence,
            quantity=row.quantity,
            quantity_picked=row.quantity_picked,
            status=PickTaskStatus(row.status),
        )


@strawberry.type
class PickProgress:
    tasks: int
    tasks_confirmed: int
    units: int
    units_picked: int


def _progress(tasks: list[PickTaskType]) -> PickProgress:
    return PickProgress(
        tasks=len(tasks),
        tasks_confirmed=sum(1 for task in tasks if task.status is not PickTaskStatus.OPEN),
        units=sum(task.quantity for task in tasks),
        units_picked=sum(task.quantity_picked or 0 for task in tasks),
    )


@strawberry.type(
    name="PickList", description="A wave: shipments at one location picked in one walk."
)
class PickListType(Node):
    pk: strawberry.Private[int]
    location_id: strawberry.Private[int]
    status: PickListStatus
    walking_distance: float = strawberry.field(
        description="Metres walked picking the wave in task order."
    )
    naive_walking_distance: float = strawberry.field(
        description="Metres walked picking the same shipments one order at a time."
    )
    created_at: datetime
    completed_at: datetime | None

    location = related("location_by_id", "location_id", LocationType)
    tasks = related("tasks_by_pick_list_id", "pk", list[PickTaskType])
    shipments = related("shipments_by_pick_list_id", "pk", list[ShipmentType])

    @strawberry.field(
        graphql_type=PickProgress,
        metadata={RELATION: Relation("tasks_by_pick_list_id", "pk")},
    )
    def progress(self, info: Info) -> Any:
        return now_or_later(info.context.loaders.tasks_by_pick_list_id.load(self.pk), _progress)

    @strawberry.field(description="Metres saved against picking order by order.")
    def walking_distance_saved(self) -> float:
        return round(self.naive_walking_distance - self.walking_distance, 2)

    @classmethod
    def from_row(cls, row: PickList) -> PickListType:
        assert row.id is not None
        return cls(
            id=encode_global_id("PickList", row.id),
            pk=row.id,
            location_id=row.location_id,
            status=PickListStatus(row.status),
            walking_distance=row.walking_distance_m,
            naive_walking_distance=row.naive_walking_distance_m,
            created_at=row.created_at,
            completed_at=row.completed_at,
        )
