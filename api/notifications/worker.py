"""Customers' mail, end to end in one process: the outbox turns new events into messages and the
sender hands them to the mail server. Inside the API (``OMS_NOTIFICATIONS_IN_PROCESS``), or on
its own (``oms notifications``); run as many as you like: the outbox moves its cursor under a
lock and senders claim each message before sending it."""

from __future__ import annotations

import asyncio

from api.background import BackgroundLoop
from api.db import Database
from api.notifications import outbox
from api.notifications.mail import transports_for
from api.notifications.sender import NotificationSender
from api.settings import Settings


async def run_notifications(database: Database, settings: Settings, stop: asyncio.Event) -> None:
    """Until ``stop`` is set: the outbox soon after each commit in this process (and every
    couple of seconds, for commits in others), waking the sender when it made messages."""
    sender = NotificationSender(database, settings, transports_for(settings))

    async def make(database: Database) -> None:
        if await outbox.catch_up(database, settings):
            sender.wake()

    making = BackgroundLoop(
        database, "notification-outbox", make, every_seconds=2.0, pause_seconds=0.25
    )
    making.start()
    try:
        await sender.run(stop)
    finally:
        await making.stop()
