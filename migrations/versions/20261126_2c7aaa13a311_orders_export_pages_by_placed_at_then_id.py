"""orders export pages by placed_at then id

Revision ID: 2c7aaa13a311
Revises: e5fc1e325b49
Create Date: 2026-11-26 15:56:59.404815
"""

from collections.abc import Sequence

from alembic import op

revision: str = "2c7aaa13a311"
down_revision: str | None = "e5fc1e325b49"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sales_order", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sales_order_placed_at"))
        batch_op.create_index("ix_sales_order_placed_at_id", ["placed_at", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sales_order", schema=None) as batch_op:
        batch_op.drop_index("ix_sales_order_placed_at_id")
        batch_op.create_index(batch_op.f("ix_sales_order_placed_at"), ["placed_at"], unique=False)
