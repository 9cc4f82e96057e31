"""return labels

Revision ID: 2132b07b45ac
Revises: 7b4bf2013b73
Create Date: 2026-11-26 12:14:49.947447
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import api.dbtypes

revision: str = "2132b07b45ac"
down_revision: str | None = "7b4bf2013b73"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "return_label",
        sa.Column("return_id", sa.Integer(), nullable=False),
        sa.Column("carrier", sa.String(length=32), nullable=False),
        sa.Column("tracking_number", sa.String(length=64), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", api.dbtypes.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["return_id"],
            ["return_request.id"],
            name=op.f("fk_return_label_return_id_return_request"),
        ),
        sa.PrimaryKeyConstraint("return_id", name=op.f("pk_return_label")),
        sa.UniqueConstraint("tracking_number", name=op.f("uq_return_label_tracking_number")),
    )


def downgrade() -> None:
    op.drop_table("return_label")
