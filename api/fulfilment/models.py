"""Fulfilment records: pick lists and their tasks, packages, labels, tracking events.

They work on the order's shipments (``api.orders.models.Shipment``): what one location sends
for one order, its contents the order's allocations at that location
(``Allocation.shipment_id``), so reserved stock, picks and shipped units are counted in one
place. A pick list is a wave of shipments at one location, picked together; each of its tasks
is one SKU at one bin across all the wave's orders (``Allocation.pick_task_id``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, Index, LargeBinary, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from api.dbtypes import UtcDateTime, utcnow
from api.fulfilment.statuses import PickListStatus, PickTaskStatus


class PickList(SQLModel, table=True):
    """A wave: shipments at one location picked in one walk."""

    __tablename__ = "pick_list"
    __table_args__ = (
        CheckConstraint("walking_distance_m >= 0", name="walking_distance"),
        CheckConstraint("naive_walking_distance_m >= 0", name="naive_walking_distance"),
        Index("ix_pick_list_location_status", "location_id", "status", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    location_id: int = Field(foreign_key="location.id", nullable=False)
    status: str = Field(default=PickListStatus.OPEN, sa_type=String(16), nullable=False)
    walking_distance_m: float = Field(nullable=False)
    naive_walking_distance_m: float = Field(nullable=False)
    created_by: str = Field(sa_type=String(64), nullable=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)
    completed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class PickTask(SQLModel, table=True):
    """One SKU to take from one bin for every order of the wave, in walking order."""

    __tablename__ = "pick_task"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity"),
        CheckConstraint(
            "quantity_picked IS NULL OR (quantity_picked >= 0 AND quantity_picked <= quantity)",
            name="quantity_picked",
        ),
        UniqueConstraint("pick_list_id", "sequence", name="uq_pick_task_list_sequence"),
    )

    id: int | None = Field(default=None, primary_key=True)
    pick_list_id: int = Field(foreign_key="pick_list.id", nullable=False)
    sku_id: int = Field(foreign_key="sku.id", nullable=False)
    bin_id: int | None = Field(default=None, foreign_key="bin.id")
    sequence: int = Field(nullable=False)
    quantity: int = Field(nullable=False)
    quantity_picked: int | None = Field(default=None)
    status: str = Field(default=PickTaskStatus.OPEN, sa_type=String(16), nullable=False)


class Package(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint("weight_grams > 0", name="weight_grams"),
        CheckConstraint(
            "(length_cm IS NULL OR length_cm > 0) AND (width_cm IS NULL OR width_cm > 0)"
            " AND (height_cm IS NULL OR height_cm > 0)",
            name="dimensions",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    shipment_id: int = Field(foreign_key="shipment.id", nullable=False, index=True)
    weight_grams: int = Field(nullable=False)
    length_cm: int | None = Field(default=None)
    width_cm: int | None = Field(default=None)
    height_cm: int | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)


class TrackingEvent(SQLModel, table=True):
    """What the carrier reported; the same report twice is recorded once."""

    __tablename__ = "tracking_event"
    __table_args__ = (
        UniqueConstraint("shipment_id", "status", "occurred_at", name="uq_tracking_event_report"),
    )

    id: int | None = Field(default=None, primary_key=True)
    shipment_id: int = Field(foreign_key="shipment.id", nullable=False, index=True)
    status: str = Field(sa_type=String(24), nullable=False)
    occurred_at: datetime = Field(sa_type=UtcDateTime, nullable=False)
    description: str | None = Field(default=None, sa_type=String(200))
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)


class ShippingLabel(SQLModel, table=True):
    """The carrier's label for a shipment, as a PDF, kept for reprints."""

    __tablename__ = "shipping_label"

    shipment_id: int = Field(foreign_key="shipment.id", primary_key=True)
    pdf: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)
