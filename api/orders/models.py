from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlmodel import Field, SQLModel

from api.dbtypes import UtcDateTime, utcnow
from api.orders.statuses import AllocationStatus, OrderStatus, ShipmentStatus
from api.validation import whole_number

ORDER_NUMBER_PREFIX = "SO-"
ON_THE_WAY = (
    OrderStatus.CONFIRMED,
    OrderStatus.ON_HOLD,
    OrderStatus.PROCESSING,
    OrderStatus.PARTIALLY_SHIPPED,
    OrderStatus.SHIPPED,
)
"""Orders whose goods have not all reached the customer, and still will."""
AWAITING_PROMISE = (
    "delayed_at IS NULL AND status IN (" + ", ".join(f"'{s.value}'" for s in ON_THE_WAY) + ")"
)


def order_number(order_id: int) -> str:
    """The human number staff and customers quote; it is the id, so it needs no column."""
    return f"{ORDER_NUMBER_PREFIX}{order_id:06d}"


def order_number_sql(order_id: str) -> str:
    """``order_number`` in PostgreSQL, of the SQL expression ``order_id``."""
    digits = f"CAST({order_id} AS TEXT)"
    return (
        f"'{ORDER_NUMBER_PREFIX}' || CASE WHEN {order_id} < 1000000 "
        f"THEN lpad({digits}, 6, '0') ELSE {digits} END"
    )


def order_id_from_number(number: str) -> int | None:
    digits = number.strip().upper().removeprefix(ORDER_NUMBER_PREFIX)
    return whole_number(digits)


class Order(SQLModel, table=True):
    """A customer's order. Money in minor units of ``currency``."""

    __tablename__ = "sales_order"
    __table_args__ = (
        CheckConstraint("subtotal >= 0", name="subtotal"),
        CheckConstraint("shipping_total >= 0", name="shipping_total"),
        CheckConstraint("tax_total >= 0", name="tax_total"),
        CheckConstraint("total = subtotal + shipping_total + tax_total", name="total"),
        UniqueConstraint(
            "channel_id", "external_reference", name="uq_sales_order_channel_reference"
        ),
        Index("ix_sales_order_status_id", "status", "id"),
        Index("ix_sales_order_placed_at_id", "placed_at", "id"),
        # The orders still on their way and not yet found late: all the delay check reads.
        Index(
            "ix_sales_order_awaiting_promise",
            "promised_at",
            postgresql_where=text(AWAITING_PROMISE),
            sqlite_where=text(AWAITING_PROMISE),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channel.id", nullable=False, index=True)
    customer_id: int = Field(foreign_key="customer.id", nullable=False, index=True)
    external_reference: str | None = Field(default=None, sa_type=String(100))
    email: str = Field(sa_type=String(254), nullable=False, index=True)
    status: str = Field(sa_type=String(24), nullable=False)
    payment_status: str = Field(sa_type=String(24), nullable=False)
    fulfilment_status: str = Field(sa_type=String(24), nullable=False)
    currency: str = Field(sa_type=String(3), nullable=False)
    subtotal: int = Field(nullable=False)
    shipping_total: int = Field(nullable=False)
    tax_total: int = Field(nullable=False)
    total: int = Field(nullable=False)
    shipping_speed: str = Field(sa_type=String(16), nullable=False)
    ship_name: str = Field(sa_type=String(200), nullable=False)
    ship_line1: str = Field(sa_type=String(200), nullable=False)
    ship_line2: str | None = Field(default=None, sa_type=String(200))
    ship_city: str = Field(sa_type=String(100), nullable=False)
    ship_region: str | None = Field(default=None, sa_type=String(100))
    ship_postal_code: str = Field(sa_type=String(20), nullable=False)
    ship_country: str = Field(sa_type=String(2), nullable=False)
    ship_latitude: float | None = Field(default=None)
    ship_longitude: float | None = Field(default=None)
    placed_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)
    promised_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    tracking_token_hash: str = Field(sa_type=String(64), unique=True, nullable=False)
    idempotency_record_id: int | None = Field(
        default=None, foreign_key="idempotency_record.id", ondelete="SET NULL", index=True
    )
    # use_alter: returns point at orders too, and the two tables are created one after the other
    exchange_for_return_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("return_request.id", use_alter=True), nullable=True, index=True
        ),
    )
    routing_decision: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    hold_reason: str | None = Field(default=None, sa_type=String(200))
    status_before_hold: str | None = Field(default=None, sa_type=String(24))
    cancel_reason: str | None = Field(default=None, sa_type=String(200))
    cancelled_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    delayed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    """When it was found still on its way after its promised date (``api.orders.delays``)."""
    version: int = Field(default=0, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)


class OrderLine(SQLModel, table=True):
    """Every unit ordered is allocated, backordered or cancelled; never two of them at once."""

    __tablename__ = "order_line"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity"),
        CheckConstraint("unit_price >= 0", name="unit_price"),
        CheckConstraint(
            "quantity_allocated >= 0 AND quantity_backordered >= 0 AND quantity_cancelled >= 0"
            " AND quantity_fulfilled >= 0 AND quantity_returned >= 0",
            name="non_negative",
        ),
        CheckConstraint(
            "quantity_allocated + quantity_backordered + quantity_cancelled = quantity",
            name="accounted",
        ),
        CheckConstraint("quantity_fulfilled <= quantity_allocated", name="fulfilled"),
        CheckConstraint("quantity_returned <= quantity_fulfilled", name="returned"),
        UniqueConstraint("order_id", "sku_id", name="uq_order_line_order_sku"),
    )

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="sales_order.id", nullable=False)
    sku_id: int = Field(foreign_key="sku.id", nullable=False, index=True)
    quantity: int = Field(nullable=False)
    unit_price: int = Field(nullable=False)
    quantity_allocated: int = Field(default=0, nullable=False)
    quantity_backordered: int = Field(default=0, nullable=False)
    quantity_fulfilled: int = Field(default=0, nullable=False)
    quantity_cancelled: int = Field(default=0, nullable=False)
    quantity_returned: int = Field(default=0, nullable=False)
    backorder_promised_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    filled_as_placed: bool = Field(
        default=True, nullable=False, sa_column_kwargs={"server_default": true()}
    )
    """Still served by the allocations made when it was placed: false once it was backordered
    (at placement or later) or re-sourced after a short pick. The fill rate counts these."""
    was_backordered: bool = Field(
        default=False, nullable=False, sa_column_kwargs={"server_default": false()}
    )
    """Some of it waited for stock at some point (at placement, after an edit or after a short
    pick with nowhere else to take it from), even if it was filled since. The backorder rate
    counts these."""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)


class Allocation(SQLModel, table=True):
    """Units of one order line held at one location; ``quantity`` is what it holds now."""

    __table_args__ = (
        CheckConstraint("quantity >= 0", name="quantity"),
        Index("ix_allocation_order_line", "order_line_id"),
        Index("ix_allocation_level_status", "location_id", "sku_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="sales_order.id", nullable=False, index=True)
    order_line_id: int = Field(foreign_key="order_line.id", nullable=False)
    location_id: int = Field(foreign_key="location.id", nullable=False)
    sku_id: int = Field(foreign_key="sku.id", nullable=False)
    quantity: int = Field(nullable=False)
    status: str = Field(default=AllocationStatus.RESERVED, sa_type=String(16), nullable=False)
    reason: str = Field(sa_type=String(200), nullable=False)
    shipment_id: int | None = Field(default=None, foreign_key="shipment.id", index=True)
    pick_task_id: int | None = Field(default=None, foreign_key="pick_task.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)


class Shipment(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint("shipping_cost >= 0", name="shipping_cost"),
        Index("ix_shipment_location_status", "location_id", "status", "id"),
        Index("ix_shipment_order", "order_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="sales_order.id", nullable=False)
    location_id: int = Field(foreign_key="location.id", nullable=False)
    status: str = Field(default=ShipmentStatus.PENDING, sa_type=String(24), nullable=False)
    pick_list_id: int | None = Field(default=None, foreign_key="pick_list.id", index=True)
    carrier: str | None = Field(default=None, sa_type=String(32))
    service: str | None = Field(default=None, sa_type=String(32))
    tracking_number: str | None = Field(default=None, sa_type=String(64), unique=True)
    shipping_cost: int = Field(default=0, nullable=False)
    currency: str = Field(sa_type=String(3), nullable=False)
    estimated_delivery_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)
    packed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    shipped_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    version: int = Field(default=0, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)
