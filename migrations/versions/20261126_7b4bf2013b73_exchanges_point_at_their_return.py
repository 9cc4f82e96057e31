"""exchanges point at their return

Revision ID: 7b4bf2013b73
Revises: ae72eef0d032
Create Date: 2026-11-26 11:55:28.201395
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7b4bf2013b73"
down_revision: str | None = "ae72eef0d032"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sales_order", schema=None) as batch_op:
        batch_op.add_column(sa.Column("exchange_for_return_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_sales_order_exchange_for_return_id"),
            ["exchange_for_return_id"],
            unique=False,
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_sales_order_exchange_for_return_id_return_request"),
            "return_request",
            ["exchange_for_return_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("sales_order", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_sales_order_exchange_for_return_id_return_request"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_sales_order_exchange_for_return_id"))
        batch_op.drop_column("exchange_for_return_id")
