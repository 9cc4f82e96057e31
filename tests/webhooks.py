"""A partner's webhook endpoint for tests: a real HTTP server that records what arrives."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.db import Database
from api.events.models import EventType
from api.settings import Settings
from api.webhooks.worker import WebhookWorker
from tests.factories import commit_events
from tests.servers import free_port

SECRET = "receiver-shared-secret-0123456789"


@dataclass
class Receiver:
    """A partner endpoint: records what arrives, fails the first ``failures`` requests, and
    holds each request ``delay`` seconds."""

    url: str = ""
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    failures: int = 0
    delay: float = 0.0

    async def endpoint(self, request: Request) -> Response:
        body = await request.body()
        self.received.append((dict(request.headers), body))
        await asyncio.sleep(self.delay)
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


async def emit(database: Database, *orders: int, type_: EventType = EventType.ORDER_HELD) -> None:
    """One committed event about each order (ORDER_HELD unless said otherwise)."""
    await commit_events(database, *orders, type_=type_, aggregate_type="order")


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
    yield receiving
    server.should_exit = True
    await task


async def rounds(worker: WebhookWorker, count: int = 1, pause: float = 0.06) -> None:
    async with httpx.AsyncClient(timeout=worker.timeout) as client:
        for _ in range(count):
            await worker.enqueue()
            await worker.deliver_due(client)
            await asyncio.sleep(pause)
