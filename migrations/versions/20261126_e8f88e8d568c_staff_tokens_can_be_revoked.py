"""staff tokens can be revoked

Revision ID: e8f88e8d568c
Revises: 274bc8ce4127
Create Date: 2026-11-26 16:44:32.534485
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import api.dbtypes

revision: str = "e8f88e8d568c"
down_revision: str | None = "274bc8ce4127"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("tokens_valid_after", api.dbtypes.UtcDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.drop_column("tokens_valid_after")
