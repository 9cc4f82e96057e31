"""Messages to customers, made from the event log, and every attempt to send one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from api.dbtypes import BigIntegerId, UtcDateTime, utcnow
from api.notifications.statuses import MessageStatus


class Message(SQLModel, table=True):
    """One mail to one customer about one order, rendered when it was made: what staff read is
    what was (or will be) sent, and a resend sends the same words again."""

    __tablename__ = "customer_message"
    __table_args__ = (
        # An event becomes each of its messages once, however often the outbox reads it.
        UniqueConstraint("event_id", "kind", name="uq_customer_message_event_kind"),
        Index("ix_customer_message_due", "status", "next_attempt_at"),
        Index("ix_customer_message_order", "order_id", "id"),
    )

    id: int | None = Field(default=None, sa_type=BigIntegerId, primary_key=True)
    order_id: int = Field(foreign_key="sales_order.id", nullable=False)
    customer_id: int = Field(foreign_key="customer.id", nullable=False, index=True)
    event_id: int | None = Field(
        default=None, foreign_key="event.id", sa_type=BigInteger, nullable=True
    )
    """The event it tells of; none for a resend."""
    resend_of_id: int | None = Field(
        default=None, foreign_key="customer_message.id", sa_type=BigInteger, nullable=True
    )
    kind: str = Field(sa_type=String(32), nullable=False)
    transactional: bool = Field(nullable=False)
    locale: str = Field(sa_type=String(16), nullable=False)
    recipient: str = Field(sa_type=String(254), nullable=False)
    subject: str = Field(sa_type=String(300), nullable=False)
    text_body: str = Field(sa_type=Text, nullable=False)
    html_body: str = Field(sa_type=Text, nullable=False)
    status: str = Field(default=MessageStatus.PENDING, sa_type=String(16), nullable=False)
    attempts: int = Field(default=0, nullable=False)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)
    """When it is due; while an attempt runs, when that attempt's claim lapses."""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)
    created_by: str = Field(sa_type=String(64), nullable=False)
    sent_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    last_error: str | None = Field(default=None, sa_type=Text)


class MessageAttempt(SQLModel, table=True):
    __tablename__ = "customer_message_attempt"
    __table_args__ = (Index("ix_customer_message_attempt_message", "message_id", "id"),)

    id: int | None = Field(default=None, sa_type=BigIntegerId, primary_key=True)
    message_id: int = Field(foreign_key="customer_message.id", sa_type=BigInteger, nullable=False)
    attempted_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)
    reply_code: int | None = None
    """The mail server's reply (250 accepted; 4xx try again; 5xx never), if one came."""
    latency_ms: int = Field(nullable=False)
    error: str | None = Field(default=None, sa_type=Text)
