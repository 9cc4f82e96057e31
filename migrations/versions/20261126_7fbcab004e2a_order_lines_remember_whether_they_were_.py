"""order lines remember whether they were ever backordered

Revision ID: 7fbcab004e2a
Revises: f850268f28ff
Create Date: 2026-11-26 18:40:24.627068
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7fbcab004e2a"
down_revision: str | None = "f850268f28ff"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("order_line", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("was_backordered", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    # Earlier history is unknown; a line backordered now certainly was.
    op.execute("UPDATE order_line SET was_backordered = true WHERE quantity_backordered > 0")


def downgrade() -> None:
    with op.batch_alter_table("order_line", schema=None) as batch_op:
        batch_op.drop_column("was_backordered")
