"""events know their order

Each event carries the order it concerns (its own aggregate, or the ``orderId`` of the
shipment it is about), indexed in log order, so that a subscriber following one order (a
customer by tracking token) replays that order's events by index instead of reading the log.
Events already written get theirs from the same rule.

Revision ID: c3a9d1e07b42
Revises: b7e2d4c91a3f
Create Date: 2026-12-03 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c3a9d1e07b42"
down_revision: str | None = "b7e2d4c91a3f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("order_id", sa.BigInteger(), nullable=True))
    op.execute("UPDATE event SET order_id = aggregate_id WHERE aggregate_type = 'order'")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "UPDATE event SET order_id = CAST(payload->>'orderId' AS bigint) "
            "WHERE aggregate_type <> 'order' AND json_typeof(payload->'orderId') = 'number'"
        )
    else:
        op.execute(
            "UPDATE event SET order_id = json_extract(payload, '$.orderId') "
            "WHERE aggregate_type <> 'order' "
            "AND json_type(payload, '$.orderId') = 'integer'"
        )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_event_order_log", ["order_id", "transaction_id", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index("ix_event_order_log")
        batch_op.drop_column("order_id")
