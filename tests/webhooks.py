"""A partner's webhook endpoint for tests: a real HTTP server that records what arrives."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.db import Database
from api.events.declared import DomainEvent
from api.settings import Settings
from api.webhooks.worker import WebhookWorker
from tests.factories import commit_events, order_held
from tests.servers import free_port

SECRET = "receiver-shared-secret-0123456789"


@dataclass
class Receiver:
    """A partner endpoint: records what arrives, fails the first ``failures`` requests, holds
    each request ``delay`` seconds, and counts the most requests it held at once."""

    url: str = ""
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    failures: int = 0
    delay: float = 0.0
    holding: int = 0
    most_held_at_once: int = 0

    async def endpoint(self, request: Request) -> Response:
        body = await request.body()
        self.received.append((dict(request.headers), body))
        self.holding += 1
        self.most_held_at_once = max(self.most_held_at_once, self.holding)
        try:
            await asyncio.sleep(self.delay)
        finally:
            self.holding -= 1
        if self.failures > 0:
            self.failures -= 1
            return Response("try later", status_code=503)
        return Response(status_code=204)

    @property
    def delivery_ids(self) -> list[str]:
        return [headers["oms-delivery-id"] for headers, _ in self.received]


def quick(settings: Settings, **overrides: float | bool) -> Settings:
    """Settings for a worker that retries within a test and may reach this machine's
    receivers."""
    values = {
        "webhook_retry_base_seconds": 0.01,
        "webhook_retry_max_seconds": 0.05,
        "webhook_allow_private_targets": True,
    }
    return settings.model_copy(update={**values, **overrides})


async def emit(
    database: Database, *orders: int, event: Callable[[int], DomainEvent] = order_held
) -> None:
    """One committed event about each order (ORDER_HELD unless said otherwise)."""
    await commit_events(database, *orders, event=event)


async def serve_receiver() -> AsyncIterator[Receiver]:
    receiving = Receiver()
    app = Starlette(routes=[Route("/hook", receiving.endpoint, methods=["POST"])])
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    for _ in range(500):
        if server.started:
            break
        await asyncio.sleep(0.01)
    receiving.url = f"http://127.0.0.1:{port}/hook"
    try:
        yield receiving
    finally:
        server.should_exit = True
        await task


async def rounds(worker: WebhookWorker, count: int = 1, pause: float = 0.06) -> None:
    async with httpx.AsyncClient(timeout=worker.timeout) as client:
        for _ in range(count):
            await worker.enqueue()
            await worker.deliver_due(client)
            await asyncio.sleep(pause)
