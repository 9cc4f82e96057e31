"""query budgets shared by every worker

Revision ID: 274bc8ce4127
Revises: 2c7aaa13a311
Create Date: 2026-11-26 16:39:02.962192
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import api.dbtypes

revision: str = "274bc8ce4127"
down_revision: str | None = "2c7aaa13a311"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rate_limit_bucket",
        sa.Column("principal", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("level", sa.Float(), nullable=False),
        sa.Column("allowed", sa.Boolean(), nullable=False),
        sa.Column("updated_at", api.dbtypes.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("principal", name=op.f("pk_rate_limit_bucket")),
    )
    if op.get_bind().dialect.name == "postgresql":
        # Charged on every partner request; losing the buckets in a crash only refills them.
        op.execute("ALTER TABLE rate_limit_bucket SET UNLOGGED")


def downgrade() -> None:
    op.drop_table("rate_limit_bucket")
