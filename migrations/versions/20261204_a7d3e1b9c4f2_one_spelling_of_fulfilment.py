"""one spelling of fulfilment

The order's fulfilment status column is spelled as the code spells it; the GraphQL field and
the order export's column keep the published spelling (fulfillmentStatus, fulfillment_status).

Revision ID: a7d3e1b9c4f2
Revises: f6c2e9a4b8d1
Create Date: 2026-12-04 05:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "a7d3e1b9c4f2"
down_revision: str | None = "f6c2e9a4b8d1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sales_order", schema=None) as batch_op:
        batch_op.alter_column("fulfillment_status", new_column_name="fulfilment_status")


def downgrade() -> None:
    with op.batch_alter_table("sales_order", schema=None) as batch_op:
        batch_op.alter_column("fulfilment_status", new_column_name="fulfillment_status")
