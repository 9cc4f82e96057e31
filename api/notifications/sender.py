"""The sender: hands due messages to the mail server, one attempt each, and records how it went.

A message is claimed before it is sent (PostgreSQL: ``FOR UPDATE SKIP LOCKED``, so that two
senders never take the same one) by pushing its due time past the claim's end; a sender that
dies mid-attempt leaves a claim that lapses, and the message is tried again. So a message is
never lost, and it is sent twice only when a sender dies after the server took the mail and
before the sender wrote that down (the at-least-once window every SMTP client has: the server's
250 and the database's commit cannot be one step). Both copies carry the same Message-ID.

A 5xx reply to the mail itself (an address the server will never take, content it rejects)
fails the message at once; a 4xx reply, a broken connection or a refused login (the operator's
to mend, and the same for every mail) tries again with exponential backoff and jitter until
``notification_retry_hours`` after the message was made. Without a mail server
(``OMS_SMTP_URL`` unset) due messages are KEPT: written, readable by staff, never sent.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlmodel import col

from api.backoff import RetryPolicy
from api.db import Database
from api.dbtypes import utcnow
from api.notifications.mail import MailTransport, Outgoing, Refused, email_of
from api.notifications.models import Message, MessageAttempt
from api.notifications.rules import MESSAGE, is_permanent_refusal
from api.notifications.statuses import MessageStatus
from api.notifications.unsubscribing import unsubscribe_path
from api.settings import Settings

log = logging.getLogger("oms.notifications")
ACTOR = "system:notifications"
BATCH = 10


@dataclass(frozen=True)
class Claimed:
    outgoing: Outgoing
    attempts: int
    created_at: datetime


class NotificationSender:
    def __init__(
        self,
        database: Database,
        settings: Settings,
        transports: Sequence[MailTransport],
        *,
        poll_seconds: float = 5.0,
        batch: int = BATCH,
    ) -> None:
        self.database = database
        self.settings = settings
        self.transports = list(transports)
        self.retry = RetryPolicy(
            base_seconds=settings.notification_retry_base_seconds,
            max_seconds=settings.notification_retry_max_seconds,
            period=timedelta(hours=settings.notification_retry_hours),
        )
        self.poll_seconds = poll_seconds
        self.batch = batch
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """New messages may be due: look at once rather than at the next poll."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Sends what is due, round after round, until ``stop`` is set."""
        try:
            while not stop.is_set():
                busy = 0
                try:
                    busy = await self.send_due()
                except Exception:  # the sender outlives a failed round; the next retries
                    log.exception("notification round failed")
                if not busy:
                    await self._idle(stop)
        finally:
            await self.close()

    async def close(self) -> None:
        for transport in self.transports:
            await transport.close()

    async def _idle(self, stop: asyncio.Event) -> None:
        """Until ``stop``, a wake-up, or the poll for retries falling due and for messages
        made by other processes."""
        stopping = asyncio.ensure_future(stop.wait())
        woken = asyncio.ensure_future(self._wake.wait())
        await asyncio.wait(
            [stopping, woken], timeout=self.poll_seconds, return_when=asyncio.FIRST_COMPLETED
        )
        stopping.cancel()
        woken.cancel()
        self._wake.clear()

    async def send_due(self) -> int:
        """One round: the due messages sent (or kept, without a mail server); how many. Each
        connection sends its share one mail at a time, so a mail is written down as soon as the
        server has it."""
        if not self.transports:
            return await self.keep_due()
        claimed = await self.claim(self.batch * len(self.transports))
        queue: asyncio.Queue[Claimed] = asyncio.Queue()
        for item in claimed:
            queue.put_nowait(item)

        async def send_over(transport: MailTransport) -> None:
            while not queue.empty():
                await self._attempt(transport, queue.get_nowait())

        await asyncio.gather(*(send_over(transport) for transport in self.transports))
        return len(claimed)

    async def keep_due(self) -> int:
        async with self.database.unit_of_work(ACTOR) as uow:
            result = await uow.session.execute(
                update(Message)
                .where(
                    col(Message.status) == MessageStatus.PENDING,
                    col(Message.next_attempt_at) <= utcnow(),
                )
                .values(**MESSAGE.bulk_move([MessageStatus.PENDING], MessageStatus.KEPT))
            )
            await uow.commit()
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def claim(self, limit: int) -> list[Claimed]:
        """Up to ``limit`` due messages, taken for one attempt each: no other sender sees them
        until the claim lapses, long after every attempt of the batch would have timed out."""
        now = utcnow()
        claim = timedelta(seconds=(limit + 1) * self.settings.smtp_timeout_seconds)
        due = (
            select(col(Message.id))
            .where(
                col(Message.status) == MessageStatus.PENDING, col(Message.next_attempt_at) <= now
            )
            .order_by(col(Message.next_attempt_at))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        async with self.database.unit_of_work(ACTOR) as uow:
            result = await uow.session.execute(
                update(Message)
                .where(col(Message.id).in_(due.scalar_subquery()))
                .values(attempts=col(Message.attempts) + 1, next_attempt_at=now + claim)
                .returning(
                    col(Message.id),
                    col(Message.attempts),
                    col(Message.created_at),
                    col(Message.recipient),
                    col(Message.subject),
                    col(Message.text_body),
                    col(Message.html_body),
                    col(Message.transactional),
                    col(Message.customer_id),
                )
            )
            rows = result.all()
            await uow.commit()
        return [self._claimed(row) for row in rows]

    def _claimed(self, row: Any) -> Claimed:
        unsubscribe = (
            None
            if row.transactional
            else self.settings.public_url
            + unsubscribe_path(row.customer_id, self.settings.secret_key)
        )
        outgoing = Outgoing(
            message_id=row.id,
            recipient=row.recipient,
            subject=row.subject,
            text_body=row.text_body,
            html_body=row.html_body,
            transactional=row.transactional,
            unsubscribe_url=unsubscribe,
            created_at_iso=row.created_at.isoformat(),
        )
        return Claimed(outgoing, row.attempts, row.created_at)

    async def _attempt(self, transport: MailTransport, item: Claimed) -> None:
        started = time.perf_counter()
        code: int | None = None
        error: str | None = None
        for_good = False
        try:
            async with asyncio.timeout(self.settings.smtp_timeout_seconds):
                code = await transport.send(email_of(item.outgoing, self.settings))
        except Refused as refused:
            code, error = refused.code, str(refused)
            for_good = refused.about_the_mail and is_permanent_refusal(code)
        except TimeoutError:
            error = f"no answer within {self.settings.smtp_timeout_seconds:g} s"
            await transport.close()
        latency_ms = int((time.perf_counter() - started) * 1000)
        await self._record(item, code, error, latency_ms, for_good)

    async def _record(
        self,
        item: Claimed,
        code: int | None,
        error: str | None,
        latency_ms: int,
        for_good: bool,
    ) -> None:
        now = utcnow()
        outcome: dict[str, Any]
        if error is None:
            outcome = {**MESSAGE.bulk_move([MessageStatus.PENDING], MessageStatus.SENT),
                       "sent_at": now}  # fmt: skip
        elif for_good or now - item.created_at >= self.retry.period:
            outcome = MESSAGE.bulk_move([MessageStatus.PENDING], MessageStatus.FAILED)
        else:
            outcome = {"next_attempt_at": self.retry.next_attempt(item.attempts, now)}
        message_id = item.outgoing.message_id
        async with self.database.unit_of_work(ACTOR) as uow:
            await uow.session.execute(
                insert(MessageAttempt),
                [{"message_id": message_id, "attempted_at": now, "reply_code": code,
                  "latency_ms": latency_ms, "error": error}],
            )  # fmt: skip
            # Only while the claim is this attempt's: a sender that took too long and lost its
            # claim records its attempt but decides nothing.
            await uow.session.execute(
                update(Message)
                .where(
                    col(Message.id) == message_id,
                    col(Message.attempts) == item.attempts,
                    col(Message.status) == MessageStatus.PENDING,
                )
                .values(last_error=error, **outcome)
            )
            await uow.commit()
