"""Work the API's process keeps doing beside requests: at start, then every ``every_seconds``,
and (when ``woken_by_commits``) soon after this process commits events, at most once a
``pause_seconds`` so that a busy shop's commits are taken in batches rather than one by one."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from api.db import Database

log = logging.getLogger("oms.background")


class BackgroundLoop:
    def __init__(
        self,
        database: Database,
        name: str,
        work: Callable[[Database], Awaitable[object]],
        *,
        every_seconds: float = 5.0,
        pause_seconds: float = 1.0,
        woken_by_commits: bool = True,
    ) -> None:
        self.database = database
        self.name = name
        self.work = work
        self.every_seconds = every_seconds
        self.pause_seconds = pause_seconds
        self.woken_by_commits = woken_by_commits
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self.woken_by_commits:
            self.database.events_committed.append(self._wake.set)
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        with contextlib.suppress(ValueError):
            self.database.events_committed.remove(self._wake.set)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self.work(self.database)
            except Exception:
                log.exception("%s failed; retrying", self.name)
            await asyncio.sleep(self.pause_seconds)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.every_seconds)
