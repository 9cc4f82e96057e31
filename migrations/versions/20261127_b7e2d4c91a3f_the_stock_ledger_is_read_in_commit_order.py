"""the stock ledger is read in commit order

Each movement carries its transaction's id (0 on SQLite, and for the movements already
written), like the event log, so that the KPI projection can sum each movement into its
level's day once, in batches, instead of summing a level's whole day again for every batch.
The days are emptied here and summed afresh from the first movement by the projection's next
catch-up (its ledger cursor starts at the beginning).

Revision ID: b7e2d4c91a3f
Revises: 9431acf12d8b
Create Date: 2026-11-27 04:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b7e2d4c91a3f"
down_revision: str | None = "9431acf12d8b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("inventory_movement", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "transaction_id", sa.BigInteger(), server_default=sa.text("0"), nullable=False
            )
        )
        batch_op.create_index("ix_inventory_movement_log", ["transaction_id", "id"], unique=False)
    op.execute("DELETE FROM kpi_stock_day")
    op.execute("DELETE FROM projection_cursor WHERE name = 'kpi-ledger'")


def downgrade() -> None:
    op.execute("DELETE FROM projection_cursor WHERE name = 'kpi-ledger'")
    with op.batch_alter_table("inventory_movement", schema=None) as batch_op:
        batch_op.drop_index("ix_inventory_movement_log")
        batch_op.drop_column("transaction_id")
