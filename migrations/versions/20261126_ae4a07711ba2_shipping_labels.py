"""shipping labels

Revision ID: ae4a07711ba2
Revises: 51062ff335c3
Create Date: 2026-11-26 11:23:09.783587
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import api.dbtypes

revision: str = "ae4a07711ba2"
down_revision: str | None = "51062ff335c3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "shipping_label",
        sa.Column("shipment_id", sa.Integer(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", api.dbtypes.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipment.id"], name=op.f("fk_shipping_label_shipment_id_shipment")
        ),
        sa.PrimaryKeyConstraint("shipment_id", name=op.f("pk_shipping_label")),
    )


def downgrade() -> None:
    op.drop_table("shipping_label")
