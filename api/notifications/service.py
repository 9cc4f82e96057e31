"""What staff do with messages: send one again."""

from __future__ import annotations

from sqlmodel import col, select

from api.db import UnitOfWork
from api.dbtypes import utcnow
from api.errors import NotFound
from api.notifications.events import MessageResent
from api.notifications.models import Message
from api.notifications.rules import MESSAGE
from api.notifications.statuses import MessageStatus
from api.writes import insert_row


async def resend(uow: UnitOfWork, message_id: int) -> Message:
    """A new message with the same words to the same address, sent as soon as a sender is
    free: whatever became of the first (sent, failed, kept, or suppressed by an opt-out the
    customer asked staff to override)."""
    original = (
        await uow.session.execute(select(Message).where(col(Message.id) == message_id))
    ).scalar_one_or_none()
    if original is None:
        raise NotFound("message", message_id, field=["messageId"])
    now = utcnow()
    again = Message(
        order_id=original.order_id,
        customer_id=original.customer_id,
        resend_of_id=original.id,
        kind=original.kind,
        transactional=original.transactional,
        locale=original.locale,
        recipient=original.recipient,
        subject=original.subject,
        text_body=original.text_body,
        html_body=original.html_body,
        status=MESSAGE.start(MessageStatus.PENDING),
        next_attempt_at=now,
        created_at=now,
        created_by=uow.actor,
    )
    again_id = await insert_row(uow.session, again)
    uow.record(
        MessageResent(
            order_id=original.order_id,
            message_id=again_id,
            resend_of=message_id,
            kind=original.kind,
        )
    )
    await uow.commit()
    return again
