"""suppliers and purchase orders

Suppliers with their quoted lead time, purchase orders to a location and their lines;
ordered units are a level's `incoming` until received.

Revision ID: e8c6dcba3c50
Revises: c3a7b6103c06
Create Date: 2026-11-26 22:43:03.886788
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import api.dbtypes

revision: str = "e8c6dcba3c50"
down_revision: str | None = "c3a7b6103c06"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "supplier",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("lead_time_days", sa.Integer(), nullable=False),
        sa.Column("created_at", api.dbtypes.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("lead_time_days >= 0", name=op.f("ck_supplier_lead_time_days")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplier")),
        sa.UniqueConstraint("code", name=op.f("uq_supplier_code")),
    )
    op.create_table(
        "purchase_order",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("expected_at", api.dbtypes.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_at", api.dbtypes.UtcDateTime(timezone=True), nullable=False),
        sa.Column("ordered_at", api.dbtypes.UtcDateTime(timezone=True), nullable=True),
        sa.Column("received_at", api.dbtypes.UtcDateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", api.dbtypes.UtcDateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sa.String(length=500), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"], ["location.id"], name=op.f("fk_purchase_order_location_id_location")
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["supplier.id"], name=op.f("fk_purchase_order_supplier_id_supplier")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_order")),
    )
    with op.batch_alter_table("purchase_order", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_purchase_order_location_id"), ["location_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_purchase_order_supplier_id"), ["supplier_id"], unique=False
        )

    op.create_table(
        "purchase_order_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purchase_order_id", sa.Integer(), nullable=False),
        sa.Column("sku_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("quantity_received", sa.Integer(), nullable=False),
        sa.Column("unit_cost", sa.Integer(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_purchase_order_line_quantity")),
        sa.CheckConstraint(
            "quantity_received >= 0 AND quantity_received <= quantity",
            name=op.f("ck_purchase_order_line_quantity_received"),
        ),
        sa.CheckConstraint("unit_cost >= 0", name=op.f("ck_purchase_order_line_unit_cost")),
        sa.ForeignKeyConstraint(
            ["purchase_order_id"],
            ["purchase_order.id"],
            name=op.f("fk_purchase_order_line_purchase_order_id_purchase_order"),
        ),
        sa.ForeignKeyConstraint(
            ["sku_id"], ["sku.id"], name=op.f("fk_purchase_order_line_sku_id_sku")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_order_line")),
        sa.UniqueConstraint(
            "purchase_order_id", "sku_id", name=op.f("uq_purchase_order_line_purchase_order_id")
        ),
    )
    with op.batch_alter_table("purchase_order_line", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_purchase_order_line_sku_id"), ["sku_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("purchase_order_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_purchase_order_line_sku_id"))

    op.drop_table("purchase_order_line")
    with op.batch_alter_table("purchase_order", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_purchase_order_supplier_id"))
        batch_op.drop_index(batch_op.f("ix_purchase_order_location_id"))

    op.drop_table("purchase_order")
    op.drop_table("supplier")
