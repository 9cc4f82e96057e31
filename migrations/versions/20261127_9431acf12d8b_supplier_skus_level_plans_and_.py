"""supplier SKUs, level plans and projection cursors

What each supplier sells (pack size, unit cost); each level's planning figures and stock
state; the KPI projection's cursor table serves every projection now, its rows kept.

Revision ID: 9431acf12d8b
Revises: e8c6dcba3c50
Create Date: 2026-11-27 00:48:59.071325
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import api.dbtypes

revision: str = "9431acf12d8b"
down_revision: str | None = "e8c6dcba3c50"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _cursor_table(name: str) -> None:
    op.create_table(
        name,
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("transaction_id", sa.BigInteger(), nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f(f"pk_{name}")),
    )


def _move_cursors(source: str, target: str) -> None:
    op.execute(
        f"INSERT INTO {target} (name, transaction_id, event_id) "
        f"SELECT name, transaction_id, event_id FROM {source}"
    )
    op.drop_table(source)


def upgrade() -> None:
    _cursor_table("projection_cursor")
    _move_cursors("kpi_projection", "projection_cursor")
    op.create_table(
        "level_plan",
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("sku_id", sa.Integer(), nullable=False),
        sa.Column("daily_demand", sa.Float(), nullable=False),
        sa.Column("reorder_point", sa.Float(), nullable=False),
        sa.Column("computed_at", api.dbtypes.UtcDateTime(timezone=True), nullable=False),
        sa.Column("stock_state", sa.String(length=24), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"], ["location.id"], name=op.f("fk_level_plan_location_id_location")
        ),
        sa.ForeignKeyConstraint(["sku_id"], ["sku.id"], name=op.f("fk_level_plan_sku_id_sku")),
        sa.PrimaryKeyConstraint("location_id", "sku_id", name=op.f("pk_level_plan")),
    )
    op.create_table(
        "supplier_sku",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("sku_id", sa.Integer(), nullable=False),
        sa.Column("pack_size", sa.Integer(), nullable=False),
        sa.Column("unit_cost", sa.Integer(), nullable=False),
        sa.Column("updated_at", api.dbtypes.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("pack_size >= 1", name=op.f("ck_supplier_sku_pack_size")),
        sa.CheckConstraint("unit_cost >= 0", name=op.f("ck_supplier_sku_unit_cost")),
        sa.ForeignKeyConstraint(["sku_id"], ["sku.id"], name=op.f("fk_supplier_sku_sku_id_sku")),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["supplier.id"], name=op.f("fk_supplier_sku_supplier_id_supplier")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplier_sku")),
        sa.UniqueConstraint("supplier_id", "sku_id", name=op.f("uq_supplier_sku_supplier_id")),
    )
    with op.batch_alter_table("supplier_sku", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_supplier_sku_sku_id"), ["sku_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("supplier_sku", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supplier_sku_sku_id"))
    op.drop_table("supplier_sku")
    op.drop_table("level_plan")
    _cursor_table("kpi_projection")
    _move_cursors("projection_cursor", "kpi_projection")
