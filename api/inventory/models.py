from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Column, Index, String, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from api.dbtypes import BigIntegerId, UtcDateTime, utcnow
from api.inventory import rules
from api.inventory.statuses import TransferStatus


class MovementKind(StrEnum):
    RECEIPT = "receipt"
    ADJUSTMENT = "adjustment"
    RESERVATION = "reservation"
    RELEASE = "release"
    SHIPMENT = "shipment"
    RETURN_RESTOCK = "return_restock"
    RETURN_RECEIPT = "return_receipt"
    SHORT_PICK = "short_pick"
    STATE_MOVE = "state_move"
    DISCREPANCY_SETTLED = "discrepancy_settled"
    TRANSFER_OUT = "transfer_out"
    TRANSFER_IN = "transfer_in"
    TRANSFER_RECEIPT = "transfer_receipt"
    PURCHASE_ORDERED = "purchase_ordered"
    PURCHASE_RECEIPT = "purchase_receipt"
    PURCHASE_CANCELLED = "purchase_cancelled"


class AdjustmentReason(StrEnum):
    CYCLE_COUNT = "cycle_count"
    CORRECTION = "correction"
    SHRINKAGE = "shrinkage"
    THEFT = "theft"
    FOUND = "found"
    EXPIRED = "expired"
    OTHER = "other"


class InventoryLevel(SQLModel, table=True):
    """Stock of one SKU at one location, by quantity state.

    The CHECK constraints are the last line of defence: whatever a service does, no counter goes
    negative and nothing is reserved that is not on hand.
    """

    __tablename__ = "inventory_level"
    __table_args__ = (
        UniqueConstraint("location_id", "sku_id", name="uq_inventory_level_location_sku"),
        CheckConstraint("on_hand >= 0", name="on_hand"),
        CheckConstraint("reserved >= 0", name="reserved"),
        CheckConstraint("reserved <= on_hand", name="reserved_on_hand"),
        CheckConstraint("incoming >= 0", name="incoming"),
        CheckConstraint("damaged >= 0", name="damaged"),
        CheckConstraint("quality_control >= 0", name="quality_control"),
        CheckConstraint("discrepancy >= 0", name="discrepancy"),
        CheckConstraint("safety_stock >= 0", name="safety_stock"),
        Index("ix_inventory_level_sku", "sku_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    location_id: int = Field(foreign_key="location.id", nullable=False)
    sku_id: int = Field(foreign_key="sku.id", nullable=False)
    bin_id: int | None = Field(default=None, foreign_key="bin.id", ondelete="SET NULL")
    on_hand: int = Field(default=0, nullable=False)
    reserved: int = Field(default=0, nullable=False)
    incoming: int = Field(default=0, nullable=False)
    damaged: int = Field(default=0, nullable=False)
    quality_control: int = Field(default=0, nullable=False)
    discrepancy: int = Field(default=0, nullable=False, sa_column_kwargs={"server_default": "0"})
    safety_stock: int = Field(default=0, nullable=False)
    version: int = Field(default=0, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)

    @property
    def available(self) -> int:
        return rules.available(self.on_hand, self.reserved, self.safety_stock)


def available_in_sql(level: Any) -> Any:
    """``InventoryLevel.available`` as a SQL expression over ``level``'s columns, before the
    floor at zero (compared to a quantity, the floor changes nothing)."""
    return level.on_hand - level.reserved - level.safety_stock


class InventoryMovement(SQLModel, table=True):
    """The append-only ledger: one row per change of one bucket. Never updated, never deleted."""

    __tablename__ = "inventory_movement"
    __table_args__ = (
        CheckConstraint("quantity <> 0", name="quantity"),
        Index("ix_inventory_movement_level_time", "location_id", "sku_id", "created_at"),
        Index("ix_inventory_movement_log", "transaction_id", "id"),
    )

    id: int | None = Field(default=None, sa_type=BigIntegerId, primary_key=True)
    transaction_id: int | None = Field(
        default=None,
        sa_column=Column(BigInteger, nullable=False, server_default=text("0")),
        description="The writing transaction's id on PostgreSQL (0 on SQLite): the ledger is "
        "read in commit order like the event log (``api.events.log``).",
    )
    location_id: int = Field(foreign_key="location.id", nullable=False)
    sku_id: int = Field(foreign_key="sku.id", nullable=False)
    bucket: str = Field(sa_type=String(32), nullable=False)
    kind: str = Field(sa_type=String(32), nullable=False)
    quantity: int = Field(nullable=False)
    reason: str | None = Field(default=None, sa_type=String(32))
    reference: str | None = Field(default=None, sa_type=String(200))
    actor: str = Field(sa_type=String(64), nullable=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)


class Transfer(SQLModel, table=True):
    """Stock between two locations: out of the source's on_hand, in the target's incoming."""

    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity"),
        CheckConstraint(
            "received_quantity >= 0 AND received_quantity <= quantity",
            name="received_quantity",
        ),
        CheckConstraint("from_location_id <> to_location_id", name="locations"),
    )

    id: int | None = Field(default=None, primary_key=True)
    sku_id: int = Field(foreign_key="sku.id", nullable=False, index=True)
    from_location_id: int = Field(foreign_key="location.id", nullable=False)
    to_location_id: int = Field(foreign_key="location.id", nullable=False, index=True)
    quantity: int = Field(nullable=False)
    received_quantity: int = Field(default=0, nullable=False)
    status: str = Field(default=TransferStatus.IN_TRANSIT, sa_type=String(16), nullable=False)
    reference: str | None = Field(default=None, sa_type=String(200))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)
    received_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
