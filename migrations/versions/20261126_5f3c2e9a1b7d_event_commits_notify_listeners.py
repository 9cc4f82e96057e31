"""event commits notify listeners

Revision ID: 5f3c2e9a1b7d
Revises: 2132b07b45ac
Create Date: 2026-11-26 14:10:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5f3c2e9a1b7d"
down_revision: str | None = "2132b07b45ac"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A statement-level trigger rather than a NOTIFY sent by the application: no extra round trip
# per command, and PostgreSQL delivers the notification only if, and when, the transaction
# commits. The payload is the writing transaction's id, so a listener knows how far the log
# must reach before it has read that commit.
NOTIFY_FUNCTION = """
CREATE FUNCTION oms_notify_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('oms_events', pg_current_xact_id()::text);
    RETURN NULL;
END;
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(NOTIFY_FUNCTION)
    op.execute(
        "CREATE TRIGGER event_inserted_notify AFTER INSERT ON event "
        "FOR EACH STATEMENT EXECUTE FUNCTION oms_notify_events()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER event_inserted_notify ON event")
    op.execute("DROP FUNCTION oms_notify_events()")
