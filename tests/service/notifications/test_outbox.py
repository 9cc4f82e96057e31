"""The event log becomes customers' messages: each event its messages once, rendered from the
order, with a link that opens the order as its customer sees it."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from api.customers.models import Customer
from api.customers.service import set_preferences
from api.db import Database
from api.dbtypes import utcnow
from api.events.models import Event
from api.notifications import outbox
from api.notifications.models import Message
from api.notifications.statuses import MessageKind, MessageStatus
from api.orders import queries as order_queries
from api.orders.delays import mark_delayed
from api.orders.models import Order
from api.settings import Settings
from tests.service.fulfilment.conftest import Warehouse
from tests.service.orders.conftest import Shop, make_shop
from tests.service.returns.conftest import deliver


async def messages(database: Database) -> list[Message]:
    async with database.session() as session:
        return list((await session.execute(select(Message).order_by(Message.id))).scalars())


async def test_a_placed_order_is_confirmed_with_a_link_that_opens_it(
    shop: Shop, settings: Settings
) -> None:
    placed = await shop.place(("TEE-M", 2))
    assert await outbox.catch_up(shop.database, settings) > 0
    [confirmed] = await messages(shop.database)
    assert (confirmed.kind, confirmed.status) == (
        MessageKind.ORDER_CONFIRMED,
        MessageStatus.PENDING,
    )
    assert confirmed.recipient == "ada@example.com" and confirmed.transactional
    assert placed.order.id is not None
    number = f"SO-{placed.order.id:06d}"
    assert number in confirmed.subject and "Tee M" in confirmed.text_body
    link = confirmed.text_body.split(f"{settings.customer_page_url}#", 1)[1].split()[0]
    assert placed.tracking_token not in confirmed.text_body
    async with shop.database.session() as session:
        opened = await order_queries.order_by_tracking_token(session, link, settings.secret_key)
        forged = await order_queries.order_by_tracking_token(
            session, f"{placed.order.id}.{'A' * 43}", settings.secret_key
        )
    assert opened is not None and opened.id == placed.order.id
    assert forged is None


async def test_each_event_becomes_its_messages_once(shop: Shop, settings: Settings) -> None:
    await shop.place(("TEE-M", 1))
    await outbox.catch_up(shop.database, settings)
    async with shop.database.session() as session:
        events = list((await session.execute(select(Event).order_by(Event.id))).scalars())
    async with shop.database.unit_of_work("test") as uow:
        assert await outbox.make_messages(uow, events, settings) == 1  # written, then ignored
        await uow.commit()
    await outbox.catch_up(shop.database, settings)
    assert len(await messages(shop.database)) == 1


async def test_a_backordered_order_is_told_when_its_units_are_promised(
    shop: Shop, settings: Settings
) -> None:
    await shop.place(("MUG", 2))
    await outbox.catch_up(shop.database, settings)
    kinds = [message.kind for message in await messages(shop.database)]
    assert kinds == [MessageKind.ORDER_CONFIRMED, MessageKind.ORDER_BACKORDERED]
    backordered = (await messages(shop.database))[1]
    assert "2 x Mug" in backordered.text_body and "expected by" in backordered.text_body


async def test_a_customer_reads_mail_in_their_language(shop: Shop, settings: Settings) -> None:
    await shop.place(("TEE-M", 1), customer_locale="de-DE")
    await outbox.catch_up(shop.database, settings)
    [confirmed] = await messages(shop.database)
    assert confirmed.locale == "de" and "ist bestätigt" in confirmed.subject
    assert "20,00\xa0€" in confirmed.text_body


async def test_a_customer_who_opted_out_gets_no_survey_but_every_order_mail(
    warehouse: Warehouse, settings: Settings
) -> None:
    first = await deliver(warehouse, ("S1", 1))
    await outbox.catch_up(warehouse.database, settings)  # its survey is made, not yet sent
    async with warehouse.database.unit_of_work("staff:1") as uow:
        await set_preferences(uow, customer_id=first.order.customer_id, receives_surveys=False)
    await deliver(warehouse, ("S2", 1))
    await outbox.catch_up(warehouse.database, settings)
    found = {
        (message.order_id, message.kind): message.status
        for message in await messages(warehouse.database)
    }
    # The survey made before the opt-out and not yet sent never will be either.
    assert found[(first.order.id, MessageKind.FEEDBACK_REQUESTED)] == MessageStatus.SUPPRESSED
    found = {
        message.kind: message.status
        for message in await messages(warehouse.database)
        if message.order_id != first.order.id
    }
    assert found[MessageKind.FEEDBACK_REQUESTED] == MessageStatus.SUPPRESSED
    assert found[MessageKind.SHIPMENT_DELIVERED] == MessageStatus.PENDING
    assert found[MessageKind.ORDER_CONFIRMED] == MessageStatus.PENDING


async def test_an_order_past_its_promise_is_marked_delayed_once(
    shop: Shop, settings: Settings
) -> None:
    late = await shop.place(("TEE-M", 1))
    on_time = await shop.place(("TEE-M", 1))
    async with shop.database.unit_of_work("test") as uow:
        await uow.session.execute(
            update(Order)
            .where(Order.id == late.order.id)
            .values(promised_at=utcnow() - timedelta(hours=1))
        )
        await uow.commit()
    assert await mark_delayed(shop.database) == 1
    assert await mark_delayed(shop.database) == 0
    await outbox.catch_up(shop.database, settings)
    delayed = [m for m in await messages(shop.database) if m.kind == MessageKind.ORDER_DELAYED]
    assert [m.order_id for m in delayed] == [late.order.id]
    assert on_time.order.id != late.order.id
    assert "running late" in delayed[0].subject


@pytest.mark.postgresql
async def test_two_outboxes_at_once_make_each_message_once(
    pg_database: Database, settings: Settings
) -> None:
    shop = await make_shop(pg_database)
    for _ in range(6):
        await shop.place(("TEE-M", 1))
    other = Database(pg_database.engine.url.render_as_string(hide_password=False))
    try:
        await asyncio.gather(
            outbox.catch_up(pg_database, settings), outbox.catch_up(other, settings)
        )
    finally:
        await other.dispose()
    async with pg_database.session() as session:
        count = (await session.execute(select(func.count()).select_from(Message))).scalar_one()
        customers = (await session.execute(select(func.count()).select_from(Customer))).scalar_one()
    assert count == 6 and customers == 1
