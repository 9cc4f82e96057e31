from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, String, text
from sqlmodel import Field, SQLModel

from api.dbtypes import BigIntegerId, UtcDateTime, utcnow


class EventType(StrEnum):
    CHANNEL_CREATED = "CHANNEL_CREATED"
    LOCATION_CREATED = "LOCATION_CREATED"
    BIN_CREATED = "BIN_CREATED"
    BIN_ASSIGNED = "BIN_ASSIGNED"
    PRODUCT_CREATED = "PRODUCT_CREATED"
    SKU_UPDATED = "SKU_UPDATED"
    CUSTOMER_CREATED = "CUSTOMER_CREATED"
    CUSTOMER_PREFERENCES_CHANGED = "CUSTOMER_PREFERENCES_CHANGED"
    USER_CREATED = "USER_CREATED"
    STAFF_TOKENS_REVOKED = "STAFF_TOKENS_REVOKED"
    USER_DEACTIVATED = "USER_DEACTIVATED"
    USER_REACTIVATED = "USER_REACTIVATED"
    API_KEY_CREATED = "API_KEY_CREATED"
    API_KEY_REVOKED = "API_KEY_REVOKED"
    WEBHOOK_CREATED = "WEBHOOK_CREATED"
    WEBHOOK_DELETED = "WEBHOOK_DELETED"
    INVENTORY_RECEIVED = "INVENTORY_RECEIVED"
    INVENTORY_ADJUSTED = "INVENTORY_ADJUSTED"
    INVENTORY_STATE_MOVED = "INVENTORY_STATE_MOVED"
    DISCREPANCY_SETTLED = "DISCREPANCY_SETTLED"
    SAFETY_STOCK_SET = "SAFETY_STOCK_SET"
    INVENTORY_LEVEL_CHANGED = "INVENTORY_LEVEL_CHANGED"
    TRANSFER_SHIPPED = "TRANSFER_SHIPPED"
    TRANSFER_RECEIVED = "TRANSFER_RECEIVED"
    ORDER_PLACED = "ORDER_PLACED"
    ORDER_CANCELLED = "ORDER_CANCELLED"
    ORDER_LINES_CANCELLED = "ORDER_LINES_CANCELLED"
    ORDER_HELD = "ORDER_HELD"
    ORDER_HOLD_RELEASED = "ORDER_HOLD_RELEASED"
    ORDER_EDITED = "ORDER_EDITED"
    ORDER_STATUS_CHANGED = "ORDER_STATUS_CHANGED"
    ORDER_DELAYED = "ORDER_DELAYED"
    """The order passed its promised date before it was delivered."""
    BACKORDER_ALLOCATED = "BACKORDER_ALLOCATED"
    SHIPMENT_CREATED = "SHIPMENT_CREATED"
    SHIPMENT_CANCELLED = "SHIPMENT_CANCELLED"
    SHIPMENT_STATUS_CHANGED = "SHIPMENT_STATUS_CHANGED"
    PICK_LIST_CREATED = "PICK_LIST_CREATED"
    PICKS_CONFIRMED = "PICKS_CONFIRMED"
    SHORT_PICKED = "SHORT_PICKED"
    SHIPMENT_PACKED = "SHIPMENT_PACKED"
    SHIPMENT_SHIPPED = "SHIPMENT_SHIPPED"
    SHIPMENT_TRACKING_UPDATED = "SHIPMENT_TRACKING_UPDATED"
    SHIPMENT_DELIVERED = "SHIPMENT_DELIVERED"
    RETURN_REQUESTED = "RETURN_REQUESTED"
    RETURN_APPROVED = "RETURN_APPROVED"
    RETURN_REJECTED = "RETURN_REJECTED"
    RETURN_RECEIVED = "RETURN_RECEIVED"
    RETURN_CLOSED = "RETURN_CLOSED"
    RETURN_REOPENED = "RETURN_REOPENED"
    """An exchange order was cancelled: its return awaits a refund or another exchange again."""
    REFUND_ISSUED = "REFUND_ISSUED"
    PAYMENT_RECONCILED = "PAYMENT_RECONCILED"
    FEEDBACK_REQUESTED = "FEEDBACK_REQUESTED"
    FEEDBACK_SUBMITTED = "FEEDBACK_SUBMITTED"
    MESSAGE_RESENT = "MESSAGE_RESENT"
    SUPPLIER_CREATED = "SUPPLIER_CREATED"
    PURCHASE_ORDER_CREATED = "PURCHASE_ORDER_CREATED"
    PURCHASE_ORDER_ORDERED = "PURCHASE_ORDER_ORDERED"
    PURCHASE_ORDER_RECEIVED = "PURCHASE_ORDER_RECEIVED"
    PURCHASE_ORDER_CANCELLED = "PURCHASE_ORDER_CANCELLED"
    SUPPLIER_SKU_SET = "SUPPLIER_SKU_SET"
    SUPPLIER_SKU_REMOVED = "SUPPLIER_SKU_REMOVED"
    INVENTORY_REORDER_POINT_REACHED = "INVENTORY_REORDER_POINT_REACHED"
    INVENTORY_STOCKED_OUT = "INVENTORY_STOCKED_OUT"
    INVENTORY_OVERSTOCKED = "INVENTORY_OVERSTOCKED"


class Event(SQLModel, table=True):
    """One committed state change. The log is read in (transaction_id, id) order; see
    ``api.events.log`` for why that order never lets a reader skip an event."""

    __tablename__ = "event"
    __table_args__ = (
        Index("ix_event_aggregate", "aggregate_type", "aggregate_id", "id"),
        Index("ix_event_log", "transaction_id", "id"),
        Index("ix_event_type_log", "type", "transaction_id", "id"),
        Index("ix_event_order_log", "order_id", "transaction_id", "id"),
    )

    id: int | None = Field(default=None, sa_type=BigIntegerId, primary_key=True)
    transaction_id: int | None = Field(
        default=None,
        sa_column=Column(BigInteger, nullable=False, server_default=text("0")),
        description="The writing transaction's id on PostgreSQL; 0 where one writer at a time "
        "makes id order commit order (SQLite).",
    )
    occurred_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)
    type: str = Field(sa_type=String(64), nullable=False)
    aggregate_type: str = Field(sa_type=String(32), nullable=False)
    aggregate_id: int = Field(nullable=False)
    actor: str = Field(sa_type=String(64), nullable=False)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    order_id: int | None = Field(
        default=None,
        sa_type=BigInteger,
        description="The order the event concerns, if any (``DomainEvent.order_concerned``): "
        "an order's followers replay its events by this index, not by reading the log.",
    )


class ProjectionCursor(SQLModel, table=True):
    """How far into the event log a projection (a reader that keeps tables current from the
    events) has applied them; for a projection of the stock ledger, how far into the ledger
    (``event_id`` then holds a movement's id)."""

    __tablename__ = "projection_cursor"

    name: str = Field(sa_type=String(32), primary_key=True)
    transaction_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    event_id: int = Field(sa_column=Column(BigInteger, nullable=False))
