from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from api.dbtypes import UtcDateTime, utcnow


class Channel(SQLModel, table=True):
    """Where an order came from: web shop, marketplace, POS, phone. A channel is never renamed
    or removed, so its id by code may be remembered."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(sa_type=String(64), unique=True, nullable=False)
    name: str = Field(sa_type=String(200), nullable=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)
