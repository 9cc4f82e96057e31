"""Returns (RMAs), refunds and customer feedback."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Column, Index, LargeBinary, String, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from api.dbtypes import UtcDateTime, utcnow
from api.returns.statuses import ReturnStatus


class ReturnReason(StrEnum):
    DAMAGED = "DAMAGED"
    WRONG_ITEM = "WRONG_ITEM"
    NOT_AS_DESCRIBED = "NOT_AS_DESCRIBED"
    CHANGED_MIND = "CHANGED_MIND"
    TOO_LATE = "TOO_LATE"
    OTHER = "OTHER"


class ReturnResolution(StrEnum):
    REFUND = "REFUND"
    EXCHANGE = "EXCHANGE"
    STORE_CREDIT = "STORE_CREDIT"


class ReturnDisposition(StrEnum):
    RESTOCK = "RESTOCK"
    DAMAGED = "DAMAGED"
    QUALITY_CONTROL = "QUALITY_CONTROL"
    DISPOSE = "DISPOSE"
    MISSING = "MISSING"


class ItemCondition(StrEnum):
    NEW = "NEW"
    OPENED = "OPENED"
    DAMAGED = "DAMAGED"


class Return(SQLModel, table=True):
    """A customer's request to send units back, and what became of it."""

    __tablename__ = "return_request"
    __table_args__ = (Index("ix_return_request_status_id", "status", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="sales_order.id", nullable=False, index=True)
    status: str = Field(default=ReturnStatus.REQUESTED, sa_type=String(16), nullable=False)
    resolution: str = Field(sa_type=String(16), nullable=False)
    requested_by: str = Field(sa_type=String(64), nullable=False)
    reject_reason: str | None = Field(default=None, sa_type=String(200))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)
    decided_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    received_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    version: int = Field(default=0, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)


class ReturnLabel(SQLModel, table=True):
    """The prepaid label the customer sends the parcel back with."""

    __tablename__ = "return_label"

    return_id: int = Field(foreign_key="return_request.id", primary_key=True)
    carrier: str = Field(sa_type=String(32), nullable=False)
    tracking_number: str = Field(sa_type=String(64), nullable=False, unique=True)
    pdf: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)


class ReturnLine(SQLModel, table=True):
    __tablename__ = "return_line"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity"),
        CheckConstraint(
            "quantity_received >= 0 AND quantity_received <= quantity", name="quantity_received"
        ),
        UniqueConstraint("return_id", "order_line_id", name="uq_return_line_return_order_line"),
    )

    id: int | None = Field(default=None, primary_key=True)
    return_id: int = Field(foreign_key="return_request.id", nullable=False, index=True)
    order_line_id: int = Field(foreign_key="order_line.id", nullable=False, index=True)
    sku_id: int = Field(foreign_key="sku.id", nullable=False)
    quantity: int = Field(nullable=False)
    reason: str = Field(sa_type=String(24), nullable=False)
    quantity_received: int = Field(default=0, nullable=False)
    condition: str | None = Field(default=None, sa_type=String(16))
    disposition: str | None = Field(default=None, sa_type=String(24))
    location_id: int | None = Field(default=None, foreign_key="location.id")


class Refund(SQLModel, table=True):
    """Money given back to the order's payment; never more than was captured."""

    __table_args__ = (
        CheckConstraint("amount > 0", name="amount"),
        CheckConstraint("restocking_fee >= 0", name="restocking_fee"),
        Index("ix_refund_order", "order_id", "id"),
        # The shipping charge is given back once per order, whichever return asks first.
        Index(
            "ux_refund_shipping_once",
            "order_id",
            unique=True,
            sqlite_where=text("includes_shipping"),
            postgresql_where=text("includes_shipping"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="sales_order.id", nullable=False)
    return_id: int | None = Field(default=None, foreign_key="return_request.id", index=True)
    amount: int = Field(nullable=False)
    restocking_fee: int = Field(default=0, nullable=False)
    includes_shipping: bool = Field(default=False, nullable=False)
    reason: str = Field(sa_type=String(200), nullable=False)
    provider_reference: str = Field(sa_type=String(100), nullable=False)
    created_by: str = Field(sa_type=String(64), nullable=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)


class Feedback(SQLModel, table=True):
    """One survey answer per order, given after delivery."""

    __table_args__ = (CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="sales_order.id", nullable=False, unique=True)
    rating: int = Field(nullable=False)
    comment: str | None = Field(default=None, sa_type=String(2000))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)
