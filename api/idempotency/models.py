from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from api.dbtypes import UtcDateTime, utcnow


class IdempotencyRecord(SQLModel, table=True):
    """The first result of a command sent with an idempotency key, per principal."""

    __tablename__ = "idempotency_record"
    __table_args__ = (
        UniqueConstraint("principal", "key", name="uq_idempotency_record_principal_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    principal: str = Field(sa_type=String(64), nullable=False)
    key: str = Field(sa_type=String(255), nullable=False)
    operation: str = Field(sa_type=String(64), nullable=False)
    request_hash: str = Field(sa_type=String(64), nullable=False)
    response: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)
