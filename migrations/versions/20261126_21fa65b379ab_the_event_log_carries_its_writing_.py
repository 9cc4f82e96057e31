"""the event log carries its writing transaction

Events already written keep transaction id 0: they are all committed, so reading them in id
order, ahead of anything written from now on, is the order they committed in.

Revision ID: 21fa65b379ab
Revises: fc7ffd37710a
Create Date: 2026-11-26 10:32:14.457000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "21fa65b379ab"
down_revision: str | None = "fc7ffd37710a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "transaction_id", sa.BigInteger(), server_default=sa.text("0"), nullable=False
            )
        )
        batch_op.drop_index(batch_op.f("ix_event_type_id"))
        batch_op.create_index("ix_event_log", ["transaction_id", "id"], unique=False)
        batch_op.create_index("ix_event_type_log", ["type", "transaction_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index("ix_event_type_log")
        batch_op.drop_index("ix_event_log")
        batch_op.create_index(batch_op.f("ix_event_type_id"), ["type", "id"], unique=False)
        batch_op.drop_column("transaction_id")
