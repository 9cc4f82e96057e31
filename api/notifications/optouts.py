"""A customer who opts out of surveys gets none that is still waiting to be sent."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import col

from api.customers.facts import SurveysRefused
from api.db import UnitOfWork
from api.events.reactions import reacts_to
from api.notifications.models import Message
from api.notifications.rules import MESSAGE
from api.notifications.statuses import MessageStatus


@reacts_to(SurveysRefused)
async def suppress_waiting_surveys(uow: UnitOfWork, refused: SurveysRefused) -> None:
    """In the opt-out's own transaction: its customer's surveys not yet sent never are."""
    await uow.session.execute(
        update(Message)
        .where(
            col(Message.customer_id) == refused.customer_id,
            col(Message.status) == MessageStatus.PENDING,
            col(Message.transactional).is_(False),
        )
        .values(**MESSAGE.bulk_move([MessageStatus.PENDING], MessageStatus.SUPPRESSED))
    )
