"""What happens to stock: receipts, adjustments, state moves, transfers, and the level snapshots
the other contexts' events list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from api.events.declared import DomainEvent, LevelMentioned, about
from api.events.models import EventType

if TYPE_CHECKING:
    from api.catalog.models import Sku
    from api.inventory.models import InventoryLevel


@dataclass(frozen=True, kw_only=True)
class LevelHeld(LevelMentioned):
    """A level's stock as a reservation or release left it."""

    sku: str
    on_hand: int
    reserved: int
    available: int


@dataclass(frozen=True, kw_only=True)
class LevelSnapshot(LevelHeld):
    """Every quantity of a level, as a command left it."""

    level_id: int = about()
    incoming: int
    damaged: int
    quality_control: int
    discrepancy: int
    safety_stock: int

    @classmethod
    def of(cls, level: InventoryLevel, sku: Sku) -> LevelSnapshot:
        assert level.id is not None and sku.id is not None
        return cls(
            level_id=level.id,
            location_id=level.location_id,
            sku=sku.code,
            sku_id=sku.id,
            on_hand=level.on_hand,
            reserved=level.reserved,
            available=level.available,
            incoming=level.incoming,
            damaged=level.damaged,
            quality_control=level.quality_control,
            discrepancy=level.discrepancy,
            safety_stock=level.safety_stock,
        )


@dataclass(frozen=True, kw_only=True)
class LevelEvent(DomainEvent):
    """About one level, whose quantities it lists as the command left them."""

    aggregate_type = "inventory_level"
    level: LevelSnapshot

    @property
    def aggregate_id(self) -> int:
        return self.level.level_id


@dataclass(frozen=True, kw_only=True)
class InventoryReceived(LevelEvent):
    type = EventType.INVENTORY_RECEIVED
    quantity: int
    reference: str | None


@dataclass(frozen=True, kw_only=True)
class InventoryAdjusted(LevelEvent):
    type = EventType.INVENTORY_ADJUSTED
    delta: int
    reason: str
    note: str | None


@dataclass(frozen=True, kw_only=True)
class SafetyStockSet(LevelEvent):
    type = EventType.SAFETY_STOCK_SET
    safety_stock: int


@dataclass(frozen=True, kw_only=True)
class BinAssigned(LevelEvent):
    type = EventType.BIN_ASSIGNED
    bin: str | None


@dataclass(frozen=True, kw_only=True)
class InventoryStateMoved(LevelEvent):
    type = EventType.INVENTORY_STATE_MOVED
    quantity: int
    source: str
    target: str
    reason: str | None


@dataclass(frozen=True, kw_only=True)
class DiscrepancySettled(LevelEvent):
    type = EventType.DISCREPANCY_SETTLED
    found: int
    lost: int
    note: str | None


@dataclass(frozen=True, kw_only=True)
class TransferShipped(DomainEvent):
    type = EventType.TRANSFER_SHIPPED
    aggregate_type = "transfer"
    transfer_id: int = about()
    sku: str
    quantity: int
    from_location_id: int
    to_location_id: int
    levels: tuple[LevelSnapshot, LevelSnapshot]


@dataclass(frozen=True, kw_only=True)
class TransferReceived(DomainEvent):
    type = EventType.TRANSFER_RECEIVED
    aggregate_type = "transfer"
    transfer_id: int = about()
    sku: str
    quantity: int
    status: str
    level: LevelSnapshot
