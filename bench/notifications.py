"""Benchmark: customers' mail. How fast the outbox turns a history's events into rendered
messages, and how many mails a second one sender hands to a local SMTP server (aiosmtpd's sink,
in a process of its own).

    DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1/oms_bench .venv/bin/oms migrate
    DATABASE_URL=... .venv/bin/oms simulate --days 7 --orders-per-day 100 --once
    DATABASE_URL=... .venv/bin/python bench/notifications.py --mails 2000 --connections 4

The database is changed: its messages are made (if not yet) and sent.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import time

from sqlalchemy import func, insert, select, update

from api.db import Database
from api.dbtypes import utcnow
from api.notifications import outbox
from api.notifications.mail import transports_for
from api.notifications.models import Message
from api.notifications.sender import NotificationSender
from api.notifications.statuses import MessageStatus
from api.settings import Settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def made(database: Database, settings: Settings) -> None:
    started = time.perf_counter()
    await outbox.catch_up(database, settings)
    elapsed = time.perf_counter() - started
    async with database.reader() as reader:
        count = (await reader.execute(select(func.count()).select_from(Message))).scalar_one()
    print(f"outbox: {count} messages in {elapsed:.1f} s ({count / elapsed:.0f} messages/s)")


async def queued(database: Database, mails: int) -> None:
    """``mails`` messages due now, copies of the history's first one."""
    async with database.unit_of_work("bench") as uow:
        first = (await uow.session.execute(select(Message).limit(1))).scalar_one()
        row = {
            column: getattr(first, column)
            for column in ("order_id", "customer_id", "kind", "transactional", "locale",
                           "recipient", "subject", "text_body", "html_body", "created_by")
        }  # fmt: skip
        await uow.session.execute(
            update(Message)
            .where(Message.status == MessageStatus.PENDING)  # type: ignore[arg-type]
            .values(status=MessageStatus.KEPT)
        )
        now = utcnow()
        await uow.session.execute(
            insert(Message),
            [{**row, "status": MessageStatus.PENDING, "attempts": 0, "next_attempt_at": now,
              "created_at": now} for _ in range(mails)],
        )  # fmt: skip
        await uow.commit()


async def sent(database: Database, settings: Settings, mails: int) -> None:
    sender = NotificationSender(database, settings, transports_for(settings))
    started = time.perf_counter()
    handed = 0
    while handed < mails:
        done = await sender.send_due()
        if not done:
            break
        handed += done
    elapsed = time.perf_counter() - started
    await sender.close()
    async with database.reader() as reader:
        count = (
            await reader.execute(
                select(func.count()).where(Message.status == MessageStatus.SENT)  # type: ignore[arg-type]
            )
        ).scalar_one()
    print(
        f"sender: {handed} mails in {elapsed:.1f} s ({handed / elapsed:.0f} mails/s, one "
        f"sender, {settings.smtp_connections} SMTP connections); {count} SENT in all"
    )


async def measure(port: int, mails: int, connections: int) -> None:
    settings = Settings(
        smtp_url=f"smtp://127.0.0.1:{port}?starttls=false", smtp_connections=connections
    )
    database = Database.from_settings(settings)
    try:
        print(f"{settings.database_url.split('://')[0]}, load average {os.getloadavg()[0]:.2f}")
        await made(database, settings)
        await queued(database, mails)
        await sent(database, settings, mails)
    finally:
        await database.dispose()


def main(mails: int, connections: int) -> None:
    port = free_port()
    sink = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
         "-c", "aiosmtpd.handlers.Sink"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        time.sleep(1.5)
        asyncio.run(measure(port, mails, connections))
    finally:
        sink.terminate()
        sink.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mails", type=int, default=2000)
    parser.add_argument("--connections", type=int, default=4)
    arguments = parser.parse_args()
    main(arguments.mails, arguments.connections)
