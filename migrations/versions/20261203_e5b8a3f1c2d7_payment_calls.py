"""payment calls

Every call to the payment provider is recorded before it is made, under the idempotency key it
is made with, and settled by the command that made it or by the reconciler
(``api.payments.calls``).

Revision ID: e5b8a3f1c2d7
Revises: d41f7c2a9e65
Create Date: 2026-12-03 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import api.dbtypes

revision: str = "e5b8a3f1c2d7"
down_revision: str | None = "d41f7c2a9e65"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "payment_call",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("authorization_reference", sa.String(length=100), nullable=True),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("request", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("provider_reference", sa.String(length=100), nullable=True),
        sa.Column("error", sa.String(length=200), nullable=True),
        sa.Column("created_at", api.dbtypes.UtcDateTime(timezone=True), nullable=False),
        sa.Column("settled_at", api.dbtypes.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_call")),
        sa.UniqueConstraint("key", name=op.f("uq_payment_call_key")),
    )
    op.create_index("ix_payment_call_pending", "payment_call", ["status", "created_at"])
    op.create_index(op.f("ix_payment_call_order_id"), "payment_call", ["order_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_payment_call_order_id"), table_name="payment_call")
    op.drop_index("ix_payment_call_pending", table_name="payment_call")
    op.drop_table("payment_call")
