from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column, Index, String, text
from sqlmodel import Field, SQLModel

from api.dbtypes import UtcDateTime, utcnow
from api.payments.statuses import CallStatus


class CallKind(StrEnum):
    AUTHORIZE = "AUTHORIZE"
    INCREASE = "INCREASE"
    CAPTURE = "CAPTURE"
    VOID = "VOID"
    REFUND = "REFUND"


class Payment(SQLModel, table=True):
    """The money side of an order: what was authorised, captured and refunded."""

    __table_args__ = (
        CheckConstraint("amount_authorized >= 0", name="authorized"),
        CheckConstraint("amount_credited >= 0", name="credited"),
        CheckConstraint(
            "amount_captured >= 0 AND amount_captured <= amount_authorized", name="captured"
        ),
        CheckConstraint(
            "amount_refunded >= 0 AND amount_refunded <= amount_captured", name="refunded"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="sales_order.id", nullable=False, unique=True)
    provider: str = Field(sa_type=String(32), nullable=False)
    method: str = Field(sa_type=String(32), nullable=False)
    currency: str = Field(sa_type=String(3), nullable=False)
    amount_authorized: int = Field(nullable=False)
    amount_captured: int = Field(default=0, nullable=False)
    amount_refunded: int = Field(default=0, nullable=False)
    amount_credited: int = Field(
        default=0, nullable=False, sa_column_kwargs={"server_default": text("0")}
    )
    """The part of the order's total an exchanged return's value pays (never the provider)."""
    authorization_reference: str = Field(sa_type=String(100), nullable=False)
    voided: bool = Field(default=False, nullable=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)


class PaymentTransaction(SQLModel, table=True):
    """One call to the payment provider and its outcome; append-only."""

    __tablename__ = "payment_transaction"
    __table_args__ = (CheckConstraint("amount >= 0", name="amount"),)

    id: int | None = Field(default=None, primary_key=True)
    payment_id: int = Field(foreign_key="payment.id", nullable=False, index=True)
    kind: str = Field(sa_type=String(16), nullable=False)
    amount: int = Field(nullable=False)
    succeeded: bool = Field(nullable=False)
    provider_reference: str | None = Field(default=None, sa_type=String(100))
    error_code: str | None = Field(default=None, sa_type=String(64))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)


class PaymentCall(SQLModel, table=True):
    """One call to the payment provider, recorded before it is made under the idempotency key
    it is made with (``api.payments.calls``): a command that fails after the call leaves it
    PENDING, and its retry, or the reconciler, finishes it without moving money twice."""

    __tablename__ = "payment_call"
    __table_args__ = (Index("ix_payment_call_pending", "status", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(sa_type=String(200), nullable=False, unique=True)
    kind: str = Field(sa_type=String(16), nullable=False)
    order_id: int | None = Field(default=None, index=True)
    authorization_reference: str | None = Field(default=None, sa_type=String(100))
    amount: int = Field(nullable=False)
    currency: str = Field(sa_type=String(3), nullable=False)
    request: dict[str, Any] | None = Field(
        default=None,
        sa_column=Column(JSON, nullable=True),
        description="What it takes to make the call again (cleared once it is settled).",
    )
    status: str = Field(default=CallStatus.PENDING, sa_type=String(16), nullable=False)
    provider_reference: str | None = Field(default=None, sa_type=String(100))
    error: str | None = Field(default=None, sa_type=String(200))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)
    settled_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
