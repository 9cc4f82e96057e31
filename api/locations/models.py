from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from api.dbtypes import UtcDateTime, utcnow


class Location(SQLModel, table=True):
    """A warehouse, store or 3PL that holds stock and may ship it."""

    __table_args__ = (
        CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude"),
        CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(sa_type=String(64), unique=True, nullable=False)
    name: str = Field(sa_type=String(200), nullable=False)
    line1: str = Field(sa_type=String(200), nullable=False)
    line2: str | None = Field(default=None, sa_type=String(200))
    city: str = Field(sa_type=String(100), nullable=False)
    region: str | None = Field(default=None, sa_type=String(100))
    postal_code: str = Field(sa_type=String(20), nullable=False)
    country: str = Field(sa_type=String(2), nullable=False)
    latitude: float = Field(nullable=False)
    longitude: float = Field(nullable=False)
    ships: bool = Field(default=True, nullable=False)
    priority: int = Field(default=0, nullable=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)


class Bin(SQLModel, table=True):
    """A pick location inside a location; ``pick_sequence`` orders a walk through the aisles."""

    __table_args__ = (UniqueConstraint("location_id", "code", name="uq_bin_location_code"),)

    id: int | None = Field(default=None, primary_key=True)
    location_id: int = Field(
        foreign_key="location.id", ondelete="CASCADE", nullable=False, index=True
    )
    code: str = Field(sa_type=String(64), nullable=False)
    aisle: int = Field(default=0, nullable=False)
    bay: int = Field(default=0, nullable=False)
    level: int = Field(default=0, nullable=False)
    pick_sequence: int = Field(default=0, nullable=False)
