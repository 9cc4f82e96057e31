"""Orders past their promise: an order still on its way after the day it was promised for is
marked delayed once, with an ORDER_DELAYED event (the customer's "running late" mail, a
partner's webhook). A periodic check, in whichever process runs it: each order is marked by
one transaction only (its row locked, skipped by any other check running at once)."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import col

from api.db import Database
from api.dbtypes import utcnow
from api.orders.events import OrderDelayed
from api.orders.models import ON_THE_WAY, Order, order_number

ACTOR = "system:delays"
BATCH = 500


async def mark_delayed(database: Database) -> int:
    """Marks the orders whose promise has passed undelivered; how many."""
    marked = 0
    while True:
        now = utcnow()
        async with database.unit_of_work(ACTOR) as uow:
            late = (
                (
                    await uow.session.execute(
                        select(Order)
                        .where(
                            col(Order.promised_at) < now,
                            col(Order.delayed_at).is_(None),
                            col(Order.status).in_(ON_THE_WAY),
                        )
                        .order_by(col(Order.id))
                        .limit(BATCH)
                        .with_for_update(skip_locked=True)
                    )
                )
                .scalars()
                .all()
            )
            for order in late:
                assert order.id is not None and order.promised_at is not None
                order.delayed_at = now
                uow.record(
                    OrderDelayed(
                        order_id=order.id,
                        number=order_number(order.id),
                        promised_at=order.promised_at,
                        status=order.status,
                    )
                )
            await uow.commit()
        marked += len(late)
        if len(late) < BATCH:
            return marked
