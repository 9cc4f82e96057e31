"""kpi summary tables

Empty at first: the projection starts at the beginning of the event log and catches up with
the history already there (api/kpis/projection.py).

Revision ID: c3a7b6103c06
Revises: 7fbcab004e2a
Create Date: 2026-11-26 19:03:48.588366
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import api.dbtypes

revision: str = "c3a7b6103c06"
down_revision: str | None = "7fbcab004e2a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "kpi_order_fact",
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("placed_at", api.dbtypes.UtcDateTime(timezone=True), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("revenue", sa.Integer(), nullable=False),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("backordered", sa.Boolean(), nullable=False),
        sa.Column("lines_decided", sa.Integer(), nullable=False),
        sa.Column("lines_filled", sa.Integer(), nullable=False),
        sa.Column("shipments", sa.Integer(), nullable=False),
        sa.Column("shipped", sa.Integer(), nullable=False),
        sa.Column("delivered", sa.Integer(), nullable=False),
        sa.Column("on_time", sa.Integer(), nullable=False),
        sa.Column("shipping_cost", sa.Integer(), nullable=False),
        sa.Column("seconds_to_ship", sa.Float(), nullable=True),
        sa.Column("seconds_to_deliver", sa.Float(), nullable=True),
        sa.Column("returned", sa.Boolean(), nullable=False),
        sa.Column("inaccurate", sa.Boolean(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("order_id", "location_id", name=op.f("pk_kpi_order_fact")),
    )
    if op.get_bind().dialect.name == "postgresql":
        # Facts are rewritten as orders move on: room on each page keeps the rewrite there.
        op.execute("ALTER TABLE kpi_order_fact SET (fillfactor = 70)")
    with op.batch_alter_table("kpi_order_fact", schema=None) as batch_op:
        batch_op.create_index(
            "ix_kpi_order_fact_location_placed", ["location_id", "placed_at"], unique=False
        )

    op.create_table(
        "kpi_projection",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("transaction_id", sa.BigInteger(), nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_kpi_projection")),
    )
    op.create_table(
        "kpi_stock_day",
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("sku_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("on_hand_change", sa.Integer(), nullable=False),
        sa.Column("reserved_change", sa.Integer(), nullable=False),
        sa.Column("shipped", sa.Integer(), nullable=False),
        sa.Column("on_hand_moments", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("location_id", "sku_id", "day", name=op.f("pk_kpi_stock_day")),
    )


def downgrade() -> None:
    op.drop_table("kpi_stock_day")
    op.drop_table("kpi_projection")
    with op.batch_alter_table("kpi_order_fact", schema=None) as batch_op:
        batch_op.drop_index("ix_kpi_order_fact_location_placed")

    op.drop_table("kpi_order_fact")
