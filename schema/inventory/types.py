from __future__ import annotations

from datetime import datetime

import strawberry

from api.inventory.models import AdjustmentReason as DomainAdjustmentReason
from api.inventory.models import InventoryLevel, InventoryMovement, Transfer
from api.inventory.models import MovementKind as DomainMovementKind
from api.inventory.queries import LevelSnapshot
from api.inventory.rules import InventoryState as DomainInventoryState
from api.inventory.statuses import InventoryBucket as DomainInventoryBucket
from api.inventory.statuses import TransferStatus as DomainTransferStatus
from schema.catalog.types import SkuType
from schema.locations.types import BinType, LocationType
from schema.relations import related
from schema.relay import Node, encode_global_id

InventoryState = DomainInventoryState
TransferStatus = DomainTransferStatus
AdjustmentReason = DomainAdjustmentReason
InventoryBucket = DomainInventoryBucket
MovementKind = DomainMovementKind
strawberry.enum(InventoryState, name="InventoryState")
strawberry.enum(TransferStatus, name="TransferStatus")
strawberry.enum(AdjustmentReason, description="Why on-hand stock was corrected.")
strawberry.enum(
    InventoryBucket,
    name="InventoryBucket",
    description="A quantity state a level keeps (available is derived, never kept).",
)
strawberry.enum(MovementKind, name="InventoryMovementKind", description="What changed a bucket.")


@strawberry.type(
    name="InventoryLevel",
    description="Stock of one SKU at one location. available = onHand - reserved - safetyStock.",
)
class InventoryLevelType(Node):
    pk: strawberry.Private[int]
    location_id: strawberry.Private[int]
    sku_id: strawberry.Private[int]
    bin_id: strawberry.Private[int | None]
    on_hand: int
    reserved: int
    available: int
    incoming: int
    damaged: int
    quality_control: int
    discrepancy: int
    safety_stock: int
    version: int
    updated_at: datetime

    location = related("location_by_id", "location_id", LocationType)
    sku = related("sku_by_id", "sku_id", SkuType)
    bin = related(
        "bin_by_id",
        "bin_id",
        BinType | None,
        description="The SKU's pick bin at this location, when assigned.",
    )

    @classmethod
    def from_row(cls, row: InventoryLevel) -> InventoryLevelType:
        assert row.id is not None
        return cls(
            id=encode_global_id("InventoryLevel", row.id),
            pk=row.id,
            location_id=row.location_id,
            sku_id=row.sku_id,
            bin_id=row.bin_id,
            on_hand=row.on_hand,
            reserved=row.reserved,
            available=row.available,
            incoming=row.incoming,
            damaged=row.damaged,
            quality_control=row.quality_control,
            discrepancy=row.discrepancy,
            safety_stock=row.safety_stock,
            version=row.version,
            updated_at=row.updated_at,
        )


@strawberry.type(description="Quantities summed over locations.")
class InventoryTotals:
    on_hand: int
    reserved: int
    available: int
    incoming: int
    damaged: int
    quality_control: int
    discrepancy: int


@strawberry.type
class Availability:
    sku: SkuType
    total: InventoryTotals
    locations: list[InventoryLevelType]

    @classmethod
    def from_levels(cls, sku: SkuType, levels: list[InventoryLevel]) -> Availability:
        return cls(
            sku=sku,
            total=InventoryTotals(
                on_hand=sum(level.on_hand for level in levels),
                reserved=sum(level.reserved for level in levels),
                available=sum(level.available for level in levels),
                incoming=sum(level.incoming for level in levels),
                damaged=sum(level.damaged for level in levels),
                quality_control=sum(level.quality_control for level in levels),
                discrepancy=sum(level.discrepancy for level in levels),
            ),
            locations=[InventoryLevelType.from_row(level) for level in levels],
        )


@strawberry.type(description="A level's stock as the ledger says it stood at a past moment.")
class InventoryLevelSnapshot:
    location_id: strawberry.Private[int]
    sku: SkuType
    at: datetime
    on_hand: int
    reserved: int
    incoming: int
    damaged: int
    quality_control: int
    discrepancy: int

    location = related("location_by_id", "location_id", LocationType)

    @classmethod
    def from_snapshot(cls, snapshot: LevelSnapshot) -> InventoryLevelSnapshot:
        return cls(
            location_id=snapshot.location_id,
            sku=SkuType.from_row(snapshot.sku),
            at=snapshot.at,
            on_hand=snapshot.on_hand,
            reserved=snapshot.reserved,
            incoming=snapshot.incoming,
            damaged=snapshot.damaged,
            quality_control=snapshot.quality_control,
            discrepancy=snapshot.discrepancy,
        )


@strawberry.type(name="Transfer", description="Stock moving between two locations.")
class TransferType(Node):
    pk: strawberry.Private[int]
    sku_id: strawberry.Private[int]
    from_location_id: strawberry.Private[int]
    to_location_id: strawberry.Private[int]
    quantity: int
    received_quantity: int
    status: TransferStatus
    reference: str | None
    created_at: datetime
    received_at: datetime | None

    sku = related("sku_by_id", "sku_id", SkuType)
    from_location = related("location_by_id", "from_location_id", LocationType)
    to_location = related("location_by_id", "to_location_id", LocationType)

    @classmethod
    def from_row(cls, row: Transfer) -> TransferType:
        assert row.id is not None
        return cls(
            id=encode_global_id("Transfer", row.id),
            pk=row.id,
            sku_id=row.sku_id,
            from_location_id=row.from_location_id,
            to_location_id=row.to_location_id,
            quantity=row.quantity,
            received_quantity=row.received_quantity,
            status=DomainTransferStatus(row.status),
            reference=row.reference,
            created_at=row.created_at,
            received_at=row.received_at,
        )


@strawberry.type(
    name="InventoryMovement",
    description="One change of one bucket of a level, as the append-only ledger holds it.",
)
class InventoryMovementType:
    bucket: InventoryBucket
    kind: MovementKind
    quantity: int = strawberry.field(description="Signed: what the bucket gained or lost.")
    reason: str | None
    reference: str | None = strawberry.field(
        description="What caused it: an order, a transfer, a purchase order, a count."
    )
    actor: str = strawberry.field(description="Who wrote it: a user, an API key or the system.")
    created_at: datetime

    @classmethod
    def from_row(cls, row: InventoryMovement) -> InventoryMovementType:
        return cls(
            bucket=InventoryBucket(row.bucket),
            kind=MovementKind(row.kind),
            quantity=row.quantity,
            reason=row.reason,
            reference=row.reference,
            actor=row.actor,
            created_at=row.created_at,
        )
