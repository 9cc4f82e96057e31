"""credit and shipping refunds

A payment keeps what of its order's total an exchanged return's credit pays (before, the credit
was only the gap between the total and the authorisation, lost at the first edit); exchange
orders placed before get that gap. An order's shipping charge is refunded by at most one of
its returns.

Revision ID: f6c2e9a4b8d1
Revises: e5b8a3f1c2d7
Create Date: 2026-12-03 15:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f6c2e9a4b8d1"
down_revision: str | None = "e5b8a3f1c2d7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("amount_credited", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )
        batch_op.create_check_constraint(op.f("ck_payment_credited"), "amount_credited >= 0")
    op.execute(
        "UPDATE payment SET amount_credited = (SELECT CASE WHEN sales_order.total > "
        "payment.amount_authorized THEN sales_order.total - payment.amount_authorized ELSE 0 "
        "END FROM sales_order WHERE sales_order.id = payment.order_id "
        "AND sales_order.exchange_for_return_id IS NOT NULL) "
        "WHERE payment.order_id IN (SELECT id FROM sales_order "
        "WHERE exchange_for_return_id IS NOT NULL)"
    )
    op.create_index(
        "ux_refund_shipping_once",
        "refund",
        ["order_id"],
        unique=True,
        sqlite_where=sa.text("includes_shipping"),
        postgresql_where=sa.text("includes_shipping"),
    )


def downgrade() -> None:
    op.drop_index("ux_refund_shipping_once", table_name="refund")
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_payment_credited"), type_="check")
        batch_op.drop_column("amount_credited")
