"""customers hear from us

Messages to customers and their attempts (``api.notifications``); a customer's locale and
survey opt-out; an order's delay mark, with an index of the orders still awaiting their promise.

An installation that already has history starts its outbox at the log's end and counts the
orders already past their promise as announced: upgrading mails nobody about the past.

Revision ID: b8e4c2f7a1d3
Revises: a7d3e1b9c4f2
Create Date: 2026-12-07 04:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import api.dbtypes

revision: str = "b8e4c2f7a1d3"
down_revision: str | None = "a7d3e1b9c4f2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AWAITING_PROMISE = (
    "delayed_at IS NULL AND status IN "
    "('CONFIRMED', 'ON_HOLD', 'PROCESSING', 'PARTIALLY_SHIPPED', 'SHIPPED')"
)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "customer_message",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=True),
        sa.Column("resend_of_id", sa.BigInteger(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("transactional", sa.Boolean(), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("text_body", sa.Text(), nullable=False),
        sa.Column("html_body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", api.dbtypes.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_at", api.dbtypes.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("sent_at", api.dbtypes.UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_customer_message_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_customer_message_event_id_event")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["sales_order.id"], name=op.f("fk_customer_message_order_id_sales_order")
        ),
        sa.ForeignKeyConstraint(
            ["resend_of_id"],
            ["customer_message.id"],
            name=op.f("fk_customer_message_resend_of_id_customer_message"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_message")),
        sa.UniqueConstraint("event_id", "kind", name="uq_customer_message_event_kind"),
    )
    op.create_index(op.f("ix_customer_message_customer_id"), "customer_message", ["customer_id"])
    op.create_index("ix_customer_message_due", "customer_message", ["status", "next_attempt_at"])
    op.create_index("ix_customer_message_order", "customer_message", ["order_id", "id"])
    op.create_table(
        "customer_message_attempt",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("attempted_at", api.dbtypes.UtcDateTime(timezone=True), nullable=False),
        sa.Column("reply_code", sa.Integer(), nullable=True),
        sa.Column("latency_ms", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["customer_message.id"],
            name=op.f("fk_customer_message_attempt_message_id_customer_message"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_message_attempt")),
    )
    op.create_index(
        "ix_customer_message_attempt_message", "customer_message_attempt", ["message_id", "id"]
    )
    with op.batch_alter_table("customer") as batch_op:
        batch_op.add_column(sa.Column("locale", sa.String(length=16), nullable=True))
        batch_op.add_column(
            sa.Column("surveys_opted_out_at", api.dbtypes.UtcDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("sales_order") as batch_op:
        batch_op.add_column(
            sa.Column("delayed_at", api.dbtypes.UtcDateTime(timezone=True), nullable=True)
        )
    op.execute(
        "UPDATE sales_order SET delayed_at = promised_at "
        "WHERE promised_at IS NOT NULL AND promised_at < CURRENT_TIMESTAMP"
    )
    op.create_index(
        "ix_sales_order_awaiting_promise",
        "sales_order",
        ["promised_at"],
        postgresql_where=sa.text(AWAITING_PROMISE),
        sqlite_where=sa.text(AWAITING_PROMISE),
    )
    op.execute(
        "INSERT INTO projection_cursor (name, transaction_id, event_id) "
        "SELECT 'notifications', transaction_id, id FROM event "
        "ORDER BY transaction_id DESC, id DESC LIMIT 1"
    )


def downgrade() -> None:
    op.execute("DELETE FROM projection_cursor WHERE name = 'notifications'")
    op.drop_index("ix_sales_order_awaiting_promise", table_name="sales_order")
    with op.batch_alter_table("sales_order") as batch_op:
        batch_op.drop_column("delayed_at")
    with op.batch_alter_table("customer") as batch_op:
        batch_op.drop_column("surveys_opted_out_at")
        batch_op.drop_column("locale")
    op.drop_index("ix_customer_message_attempt_message", table_name="customer_message_attempt")
    op.drop_table("customer_message_attempt")
    op.drop_index("ix_customer_message_order", table_name="customer_message")
    op.drop_index("ix_customer_message_due", table_name="customer_message")
    op.drop_index(op.f("ix_customer_message_customer_id"), table_name="customer_message")
    op.drop_table("customer_message")
