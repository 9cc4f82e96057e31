"""Suppliers and purchase orders: stock ordered, on its way (a level's ``incoming``) and
received."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from api.dbtypes import UtcDateTime, utcnow
from api.purchasing.statuses import PurchaseOrderStatus

PURCHASE_ORDER_PREFIX = "PO-"


"""Ordered and not yet all arrived: their outstanding units are on their way."""


class Supplier(SQLModel, table=True):
    __table_args__ = (CheckConstraint("lead_time_days >= 0", name="lead_time_days"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(sa_type=String(64), nullable=False, unique=True)
    name: str = Field(sa_type=String(200), nullable=False)
    lead_time_days: int = Field(nullable=False)
    """Days from ordering to arrival, as the supplier quotes them."""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)


class SupplierSku(SQLModel, table=True):
    """A SKU a supplier sells: in whole packs, at a unit cost. Replenishment orders a SKU from
    its cheapest supplier."""

    __tablename__ = "supplier_sku"
    __table_args__ = (
        UniqueConstraint("supplier_id", "sku_id"),
        CheckConstraint("pack_size >= 1", name="pack_size"),
        CheckConstraint("unit_cost >= 0", name="unit_cost"),
    )

    id: int | None = Field(default=None, primary_key=True)
    supplier_id: int = Field(foreign_key="supplier.id", nullable=False)
    sku_id: int = Field(foreign_key="sku.id", nullable=False, index=True)
    pack_size: int = Field(nullable=False)
    unit_cost: int = Field(nullable=False)
    """Minor units per unit, in the shop's currency."""
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)


class PurchaseOrder(SQLModel, table=True):
    __tablename__ = "purchase_order"

    id: int | None = Field(default=None, primary_key=True)
    supplier_id: int = Field(foreign_key="supplier.id", nullable=False, index=True)
    location_id: int = Field(foreign_key="location.id", nullable=False, index=True)
    status: str = Field(default=PurchaseOrderStatus.DRAFT, sa_type=String(24), nullable=False)
    expected_at: datetime = Field(sa_type=UtcDateTime, nullable=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)
    ordered_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    received_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    cancelled_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    cancel_reason: str | None = Field(default=None, sa_type=String(500))
    version: int = Field(default=1, nullable=False)


class PurchaseOrderLine(SQLModel, table=True):
    """Units of one SKU ordered; received up to the ordered quantity, never beyond."""

    __tablename__ = "purchase_order_line"
    __table_args__ = (
        UniqueConstraint("purchase_order_id", "sku_id"),
        CheckConstraint("quantity > 0", name="quantity"),
        CheckConstraint(
            "quantity_received >= 0 AND quantity_received <= quantity", name="quantity_received"
        ),
        CheckConstraint("unit_cost >= 0", name="unit_cost"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # Found by its order through the unique (purchase_order_id, sku_id) index.
    purchase_order_id: int = Field(foreign_key="purchase_order.id", nullable=False)
    sku_id: int = Field(foreign_key="sku.id", nullable=False, index=True)
    quantity: int = Field(nullable=False)
    quantity_received: int = Field(default=0, nullable=False)
    unit_cost: int = Field(nullable=False)
    """Minor units per unit, in the shop's currency, as the supplier invoices it."""

    @property
    def outstanding(self) -> int:
        """Units still expected."""
        return self.quantity - self.quantity_received


def outstanding_in_sql(line: Any) -> Any:
    """``PurchaseOrderLine.outstanding`` as a SQL expression over ``line``'s columns."""
    return line.quantity - line.quantity_received


def purchase_order_number(purchase_order_id: int) -> str:
    return f"{PURCHASE_ORDER_PREFIX}{purchase_order_id:06d}"
