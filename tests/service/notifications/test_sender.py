"""The sender against a real SMTP server: mail delivered once, a server that defers retried, an
address refused for good recorded as failed, no server configured keeps the mail, and an
opted-out customer's waiting survey never leaves."""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from api.customers.service import set_preferences
from api.db import Database
from api.dbtypes import utcnow
from api.notifications import outbox
from api.notifications.mail import transports_for
from api.notifications.models import Message, MessageAttempt
from api.notifications.sender import NotificationSender
from api.notifications.statuses import MessageKind, MessageStatus
from api.orders.models import Order
from api.settings import Settings
from tests.mail import Mailbox, mail_server, secure_mail_server
from tests.servers import OMS
from tests.service.fulfilment.conftest import Warehouse
from tests.service.orders.conftest import Shop
from tests.service.returns.conftest import deliver


@pytest.fixture
def smtp() -> Iterator[tuple[str, Mailbox]]:
    with mail_server() as serving:
        yield serving


def sending(settings: Settings, smtp_url: str | None) -> Settings:
    # Retries at once, so a test need not wait out a real backoff.
    return settings.model_copy(
        update={"smtp_url": smtp_url, "notification_retry_base_seconds": 0.001,
                "notification_retry_max_seconds": 0.001, "smtp_timeout_seconds": 5}
    )  # fmt: skip


async def rounds(sender: NotificationSender, count: int = 1) -> None:
    for _ in range(count):
        await sender.send_due()


async def stored(database: Database) -> list[Message]:
    async with database.session() as session:
        return list((await session.execute(select(Message).order_by(Message.id))).scalars())


async def attempts(database: Database, message_id: int) -> list[MessageAttempt]:
    async with database.session() as session:
        found = await session.execute(
            select(MessageAttempt)
            .where(MessageAttempt.message_id == message_id)
            .order_by(MessageAttempt.id)
        )
        return list(found.scalars())


async def test_a_confirmation_reaches_the_customer_once_with_both_bodies(
    shop: Shop, settings: Settings, smtp: tuple[str, Mailbox]
) -> None:
    url, mailbox = smtp
    settings = sending(settings, url)
    placed = await shop.place(("TEE-M", 1))
    await outbox.catch_up(shop.database, settings)
    sender = NotificationSender(shop.database, settings, transports_for(settings))
    await rounds(sender, 3)
    [mail] = mailbox.wait_for(1)
    assert mail.recipients == ["ada@example.com"]
    assert f"SO-{placed.order.id:06d}" in mail.message["Subject"]
    assert mail.message["From"] == settings.mail_from
    assert mail.message["Message-ID"].endswith("@shop.example>")
    assert "List-Unsubscribe" not in mail.message  # about the order itself: no opting out
    assert "Tee M" in mail.text and "Tee M" in mail.html
    [message] = await stored(shop.database)
    assert message.status == MessageStatus.SENT and message.sent_at is not None
    [attempt] = await attempts(shop.database, message.id)  # type: ignore[arg-type]
    assert (attempt.reply_code, attempt.error) == (250, None)
    await sender.close()


async def test_a_server_that_defers_three_times_gets_the_mail_once(
    shop: Shop, settings: Settings, smtp: tuple[str, Mailbox]
) -> None:
    url, mailbox = smtp
    settings = sending(settings, url)
    mailbox.refusals_left = 3
    await shop.place(("TEE-M", 1))
    await outbox.catch_up(shop.database, settings)
    sender = NotificationSender(shop.database, settings, transports_for(settings))
    for _ in range(10):
        await rounds(sender)
        await _due_now(shop.database)
    assert len(mailbox.wait_for(1)) == 1
    [message] = await stored(shop.database)
    codes = [a.reply_code for a in await attempts(shop.database, message.id)]  # type: ignore[arg-type]
    assert codes == [451, 451, 451, 250]
    assert (message.status, message.attempts) == (MessageStatus.SENT, 4)
    await sender.close()


async def test_an_address_refused_for_good_fails_and_leaves_the_order_alone(
    shop: Shop, settings: Settings, smtp: tuple[str, Mailbox]
) -> None:
    url, mailbox = smtp
    settings = sending(settings, url)
    mailbox.unknown.add("nobody@example.com")
    placed = await shop.place(("TEE-M", 1), customer_email="nobody@example.com")
    await shop.place(("TEE-M", 1))
    await outbox.catch_up(shop.database, settings)
    sender = NotificationSender(shop.database, settings, transports_for(settings))
    await rounds(sender, 3)
    assert [mail.recipients for mail in mailbox.wait_for(1)] == [["ada@example.com"]]
    refused = next(m for m in await stored(shop.database) if m.recipient == "nobody@example.com")
    assert refused.status == MessageStatus.FAILED and refused.attempts == 1
    assert refused.last_error is not None and refused.last_error.startswith("550")
    async with shop.database.session() as session:
        order = await session.get(Order, placed.order.id)
    assert order is not None and order.status == "CONFIRMED"
    await sender.close()


async def test_without_a_mail_server_messages_are_kept_for_staff(
    shop: Shop, settings: Settings
) -> None:
    settings = sending(settings, None)
    await shop.place(("TEE-M", 1))
    await outbox.catch_up(shop.database, settings)
    sender = NotificationSender(shop.database, settings, transports_for(settings))
    assert await sender.send_due() == 1
    [message] = await stored(shop.database)
    assert message.status == MessageStatus.KEPT and message.attempts == 0


async def test_a_survey_waiting_when_its_customer_opts_out_is_never_sent(
    warehouse: Warehouse, settings: Settings, smtp: tuple[str, Mailbox]
) -> None:
    url, mailbox = smtp
    settings = sending(settings, url).model_copy(update={"survey_delay_hours": 48})
    delivered = await deliver(warehouse, ("S1", 1))
    await outbox.catch_up(warehouse.database, settings)
    sender = NotificationSender(warehouse.database, settings, transports_for(settings))
    await rounds(sender, 3)
    survey = next(
        m for m in await stored(warehouse.database) if m.kind == MessageKind.FEEDBACK_REQUESTED
    )
    assert survey.status == MessageStatus.PENDING  # due in two days
    async with warehouse.database.unit_of_work("staff:1") as uow:
        await set_preferences(uow, customer_id=delivered.order.customer_id, receives_surveys=False)
    await _due_now(warehouse.database)
    await rounds(sender)
    survey = next(
        m for m in await stored(warehouse.database) if m.kind == MessageKind.FEEDBACK_REQUESTED
    )
    assert survey.status == MessageStatus.SUPPRESSED
    sent_kinds = {mail.message["Subject"] for mail in mailbox.received}
    assert not any("How was" in subject for subject in sent_kinds)
    await sender.close()


async def test_a_survey_says_how_to_receive_no_more(
    warehouse: Warehouse, settings: Settings, smtp: tuple[str, Mailbox]
) -> None:
    url, mailbox = smtp
    settings = sending(settings, url)
    await deliver(warehouse, ("S1", 1))
    await outbox.catch_up(warehouse.database, settings)
    sender = NotificationSender(warehouse.database, settings, transports_for(settings))
    await rounds(sender, 3)
    [survey] = [m for m in mailbox.wait_for(4) if "How was" in m.message["Subject"]]
    unsubscribe = survey.message["List-Unsubscribe"]
    assert unsubscribe.startswith(f"<{settings.public_url}/unsubscribe/")
    assert survey.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe.strip("<>") in survey.text
    await sender.close()


async def _due_now(database: Database) -> None:
    """Every waiting message due at once (a retry's backoff, a survey's delay, passed)."""
    async with database.unit_of_work("test") as uow:
        await uow.session.execute(
            update(Message)
            .where(Message.status == MessageStatus.PENDING)  # type: ignore[arg-type]
            .values(next_attempt_at=utcnow() - timedelta(seconds=1))
        )
        await uow.commit()


async def test_a_sender_killed_mid_send_loses_nothing(
    shop: Shop, settings: Settings, smtp: tuple[str, Mailbox], tmp_path: Path
) -> None:
    """`oms notifications` is killed (SIGKILL) while the server holds its first mail: once the
    claim lapses another sender sends every message. The mail the server took from the dead
    sender arrives twice, with one Message-ID: the at-least-once window of any SMTP client."""
    url, mailbox = smtp
    settings = sending(settings, url)
    for _ in range(3):
        await shop.place(("TEE-M", 1))
    await outbox.catch_up(shop.database, settings)
    mailbox.answer_delay_seconds = 30
    environment = {
        **os.environ, "DATABASE_URL": settings.database_url, "OMS_ENV": "development",
        "OMS_SECRET_KEY": settings.secret_key, "OMS_SMTP_URL": url,
        "OMS_SMTP_CONNECTIONS": "1",  # one mail in flight: the one the server holds
    }  # fmt: skip
    with (tmp_path / "notifications.log").open("w") as log:
        dying = await asyncio.create_subprocess_exec(
            OMS, "notifications", env=environment, stdout=log, stderr=asyncio.subprocess.STDOUT
        )
        try:
            # Killed once the server has the first mail, its answer still to come.
            await asyncio.to_thread(mailbox.wait_for, 1)
        finally:
            dying.kill()
            await dying.wait()
    assert {m.status for m in await stored(shop.database)} == {MessageStatus.PENDING}
    mailbox.answer_delay_seconds = 0
    await _due_now(shop.database)  # the dead sender's claims lapse
    survivor = NotificationSender(shop.database, settings, transports_for(settings))
    await rounds(survivor, 3)
    messages = await stored(shop.database)
    assert {m.status for m in messages} == {MessageStatus.SENT}
    arrived = Counter(mail.message["Message-ID"] for mail in mailbox.wait_for(4))
    assert sorted(arrived.values()) == [1, 1, 2]
    await survivor.close()


async def test_mail_goes_over_starttls_with_a_login(
    shop: Shop, settings: Settings, tmp_path: Path
) -> None:
    """A server that takes mail only over TLS and after a login: the sender upgrades the
    connection (trusting the server's own certificate authority) and logs in. A wrong password
    (535) fails every mail alike: the message waits to be tried again once it is mended."""
    with secure_mail_server(tmp_path) as (server, mailbox):
        url = f"smtp://{server.user}:{server.password}@{server.host_and_port}"
        secure = sending(settings, url).model_copy(update={"smtp_ca_file": server.certificate})
        await shop.place(("TEE-M", 1))
        await outbox.catch_up(shop.database, secure)
        sender = NotificationSender(shop.database, secure, transports_for(secure))
        await rounds(sender)
        await sender.close()
        [mail] = mailbox.wait_for(1)
        assert mail.recipients == ["ada@example.com"]

        await shop.place(("TEE-M", 1))
        await outbox.catch_up(shop.database, secure)
        wrong = secure.model_copy(
            update={"smtp_url": f"smtp://{server.user}:wrong@{server.host_and_port}"}
        )
        refused = NotificationSender(shop.database, wrong, transports_for(wrong))
        await rounds(refused)
        await refused.close()
        waiting = (await stored(shop.database))[-1]
        assert waiting.status == MessageStatus.PENDING and waiting.attempts == 1
        assert waiting.last_error is not None and waiting.last_error.startswith("535")
        assert len(mailbox.received) == 1
