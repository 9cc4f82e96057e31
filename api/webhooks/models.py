"""Webhooks: partner endpoints that receive the event log, and every delivery and attempt."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Column, Index, String, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from api.dbtypes import BigIntegerId, UtcDateTime, utcnow
from api.webhooks.statuses import DeliveryStatus


class Webhook(SQLModel, table=True):
    __tablename__ = "webhook"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(sa_type=String(2048), nullable=False)
    event_types: list[str] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False),
        description="The event types delivered; empty: all of them.",
    )
    secret: str = Field(
        sa_type=String(128), nullable=False, description="Signs each delivery (HMAC-SHA256)."
    )
    active: bool = Field(default=True, nullable=False)
    after_transaction_id: int = Field(
        default=-1,
        sa_column=Column(BigInteger, nullable=False),
        description="The log position up to which events have become deliveries.",
    )
    after_event_id: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    starts_after_transaction_id: int = Field(
        default=-1,
        sa_column=Column(BigInteger, nullable=False, server_default=text("-1")),
        description="The log position when it was made: no replay reaches before it.",
    )
    starts_after_event_id: int = Field(
        default=0, sa_column=Column(BigInteger, nullable=False, server_default=text("0"))
    )
    created_by: str = Field(
        sa_type=String(64),
        nullable=False,
        description="Its owner (``staff:<id>``, ``api_key:<id>``): a key manages only its own "
        "webhooks, and a webhook delivers only the events its owner may read.",
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)
    deleted_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class WebhookDelivery(SQLModel, table=True):
    """One event for one webhook: delivered at least once, deduplicated by its id."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        UniqueConstraint("webhook_id", "event_id"),
        Index("ix_webhook_delivery_due", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, sa_type=BigIntegerId, primary_key=True)
    webhook_id: int = Field(foreign_key="webhook.id", nullable=False)
    event_id: int = Field(foreign_key="event.id", sa_type=BigInteger, nullable=False)
    status: str = Field(default=DeliveryStatus.PENDING, sa_type=String(16), nullable=False)
    attempts: int = Field(default=0, nullable=False)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)
    """When it is due; while an attempt runs, when that attempt's claim lapses."""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)
    delivered_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    last_status_code: int | None = None
    last_error: str | None = Field(default=None, sa_type=Text)


class WebhookAttempt(SQLModel, table=True):
    __tablename__ = "webhook_attempt"
    __table_args__ = (Index("ix_webhook_attempt_delivery", "delivery_id", "id"),)

    id: int | None = Field(default=None, sa_type=BigIntegerId, primary_key=True)
    delivery_id: int = Field(foreign_key="webhook_delivery.id", sa_type=BigInteger, nullable=False)
    attempted_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)
    status_code: int | None = None
    latency_ms: int = Field(nullable=False)
    error: str | None = Field(default=None, sa_type=Text)
