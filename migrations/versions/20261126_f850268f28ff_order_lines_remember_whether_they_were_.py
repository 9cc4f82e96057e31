"""order lines remember whether they were filled as placed

Revision ID: f850268f28ff
Revises: e8f88e8d568c
Create Date: 2026-11-26 18:04:25.740333
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f850268f28ff"
down_revision: str | None = "e8f88e8d568c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("order_line", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("filled_as_placed", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
    # What a line went through before is unknown; one backordered now was not filled as placed.
    op.execute("UPDATE order_line SET filled_as_placed = false WHERE quantity_backordered > 0")


def downgrade() -> None:
    with op.batch_alter_table("order_line", schema=None) as batch_op:
        batch_op.drop_column("filled_as_placed")
