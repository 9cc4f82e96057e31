"""webhooks remember where they started

The log position at a webhook's creation, below which no replay reaches. Webhooks made before
get the position just before their WEBHOOK_CREATED event (or where their deliveries are now,
when that event is missing).

Revision ID: d41f7c2a9e65
Revises: c3a9d1e07b42
Create Date: 2026-12-03 11:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d41f7c2a9e65"
down_revision: str | None = "c3a9d1e07b42"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CREATION = (
    "FROM event WHERE event.aggregate_type = 'webhook' AND event.aggregate_id = webhook.id "
    "AND event.type = 'WEBHOOK_CREATED'"
)


def upgrade() -> None:
    with op.batch_alter_table("webhook", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "starts_after_transaction_id",
                sa.BigInteger(),
                server_default=sa.text("-1"),
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column(
                "starts_after_event_id",
                sa.BigInteger(),
                server_default=sa.text("0"),
                nullable=False,
            )
        )
    op.execute(
        "UPDATE webhook SET "
        f"starts_after_transaction_id = COALESCE((SELECT MIN(event.transaction_id) {_CREATION}), "
        "after_transaction_id), "
        f"starts_after_event_id = COALESCE((SELECT MIN(event.id) - 1 {_CREATION}), after_event_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("webhook", schema=None) as batch_op:
        batch_op.drop_column("starts_after_event_id")
        batch_op.drop_column("starts_after_transaction_id")
