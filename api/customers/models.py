from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, String
from sqlmodel import Field, SQLModel

from api.dbtypes import UtcDateTime, utcnow


class Customer(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(sa_type=String(254), unique=True, nullable=False)
    name: str = Field(sa_type=String(200), nullable=False)
    phone: str | None = Field(default=None, sa_type=String(32))
    locale: str | None = Field(default=None, sa_type=String(16))
    """The language their mail is written in (``de``, ``en-GB``); the shop's default if none."""
    surveys_opted_out_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    """When they asked for no more surveys (mail that is not about a transaction)."""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)


class CustomerAddress(SQLModel, table=True):
    __tablename__ = "customer_address"
    __table_args__ = (
        CheckConstraint("latitude IS NULL OR latitude BETWEEN -90 AND 90", name="latitude"),
        CheckConstraint(
            "longitude IS NULL OR longitude BETWEEN -180 AND 180",
            name="longitude",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(
        foreign_key="customer.id", ondelete="CASCADE", nullable=False, index=True
    )
    name: str = Field(sa_type=String(200), nullable=False)
    line1: str = Field(sa_type=String(200), nullable=False)
    line2: str | None = Field(default=None, sa_type=String(200))
    city: str = Field(sa_type=String(100), nullable=False)
    region: str | None = Field(default=None, sa_type=String(100))
    postal_code: str = Field(sa_type=String(20), nullable=False)
    country: str = Field(sa_type=String(2), nullable=False)
    latitude: float | None = Field(default=None)
    longitude: float | None = Field(default=None)
    is_default: bool = Field(default=False, nullable=False)
