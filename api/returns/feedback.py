"""The survey after delivery: one rating per order, given by its customer (who names the order
with its tracking token or a mail's link token: ``api.orders.queries.order_by_tracking_token``)."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import col

from api import validation
from api.db import UnitOfWork
from api.dbtypes import utcnow
from api.errors import AlreadyExists, IllegalTransition, InvalidInput
from api.orders.models import Order, order_number
from api.orders.statuses import OrderStatus
from api.returns.events import FeedbackSubmitted
from api.returns.models import Feedback

AFTER_DELIVERY = (OrderStatus.DELIVERED,)


async def submit_feedback(
    uow: UnitOfWork, *, order_id: int, rating: int, comment: str | None = None
) -> Feedback:
    """The customer's rating, once, after delivery."""
    if not 1 <= rating <= 5:
        raise InvalidInput("rating is 1 to 5", field=["rating"])
    comment = validation.optional_text(comment, "comment", max_length=2000)
    order = await uow.lock(Order, order_id, what="order", field="trackingToken")
    assert order.id is not None
    if OrderStatus(order.status) not in AFTER_DELIVERY:
        raise IllegalTransition(
            f"order {order_number(order.id)} is {order.status}: feedback follows delivery",
            field=["trackingToken"],
        )
    given = (
        await uow.session.execute(
            select(col(Feedback.id)).where(col(Feedback.order_id) == order.id)
        )
    ).first()
    if given is not None:
        raise AlreadyExists("feedback for order", order_number(order.id), field=["trackingToken"])
    feedback = Feedback(order_id=order.id, rating=rating, comment=comment, created_at=utcnow())
    uow.session.add(feedback)
    uow.record(FeedbackSubmitted(order_id=order.id, number=order_number(order.id), rating=rating))
    await uow.commit()
    return feedback
