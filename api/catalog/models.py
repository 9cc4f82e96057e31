from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, String
from sqlmodel import Field, SQLModel

from api.dbtypes import UtcDateTime, utcnow


class Product(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=String(200), nullable=False)
    description: str | None = Field(default=None, sa_type=String(2000))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)


class Sku(SQLModel, table=True):
    """A sellable variant; ``code`` is the SKU partners use. Money in minor units."""

    __table_args__ = (
        CheckConstraint("price >= 0", name="price"),
        CheckConstraint("unit_cost >= 0", name="unit_cost"),
        CheckConstraint("weight_grams >= 0", name="weight"),
    )

    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(
        foreign_key="product.id", ondelete="CASCADE", nullable=False, index=True
    )
    code: str = Field(sa_type=String(64), unique=True, nullable=False)
    name: str = Field(sa_type=String(200), nullable=False)
    price: int = Field(nullable=False)
    currency: str = Field(default="EUR", sa_type=String(3), nullable=False)
    unit_cost: int = Field(default=0, nullable=False)
    weight_grams: int = Field(default=0, nullable=False)
    barcode: str | None = Field(default=None, sa_type=String(64), unique=True)
    allow_backorder: bool = Field(default=False, nullable=False)
    active: bool = Field(default=True, nullable=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)
