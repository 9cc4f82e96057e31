"""Composition root: create_app(settings) builds the database, the schema and the ASGI app."""

from __future__ import annotations

import asyncio
import functools
import gc
import os
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api.background import BackgroundLoop
from api.bodies import BoundedBodies
from api.bulk.endpoints import orders_export
from api.db import Database
from api.dbtypes import utcnow
from api.events.feed import EventFeed, FeedSettings
from api.fulfilment.endpoints import carrier_events, label
from api.kpis import projection as kpi_projection
from api.logs import configure_logging
from api.logs import request_id as request_ids
from api.notifications.unsubscribing import PATH as UNSUBSCRIBE_PATH
from api.notifications.unsubscribing import unsubscribe
from api.notifications.worker import run_notifications
from api.orders.delays import mark_delayed
from api.payments.provider import PaymentProvider, TestPaymentProvider
from api.planning import alerts
from api.planning.plans import PlanningPolicy
from api.reconciliation import reconcile as reconcile_payments
from api.reports.downloads import report_csv
from api.returns.endpoints import return_label
from api.settings import Settings
from api.shipping.carriers import BUILT_IN as BUILT_IN_CARRIERS
from api.shipping.carriers import CarrierAdapter
from api.sourcing.geocoding import warm as warm_geocoder
from api.users.sessions import revocations_of
from api.webhooks.worker import WebhookWorker
from schema import build_schema
from schema.http import GraphQLView

REQUEST_ID_HEADER = b"x-request-id"


class RequestIdMiddleware:
    """Gives every request an id (the caller's X-Request-ID, or a new one) and echoes it back."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(REQUEST_ID_HEADER, b"").decode("latin-1")
        request_id = (
            incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else uuid.uuid4().hex
        )
        scope.setdefault("state", {})["request_id"] = request_id
        request_ids.set(request_id)  # for every log line of this request

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((REQUEST_ID_HEADER, request_id.encode()))
            await send(message)

        await self.app(scope, receive, send_with_id)


SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"content-security-policy", b"frame-ancestors 'none'"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class SecurityHeadersMiddleware:
    """Headers that keep browsers from sniffing, framing or leaking referrers on every HTTP
    response (the API is not a page to embed; GraphiQL loads its scripts, so no script policy)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).extend(SECURITY_HEADERS)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def schema_sdl() -> str:
    """The GraphQL schema as SDL, as exported to schema.graphql."""
    return build_schema().as_str() + "\n"


def schema_contract_changes(published_sdl: str) -> tuple[list[str], list[str]]:
    """(breaking, dangerous) changes of the schema as built now against ``published_sdl``."""
    from schema.contract import contract_changes

    return contract_changes(published_sdl, schema_sdl())


def trusted_documents_manifest(paths: list[Path]) -> dict[str, Any]:
    """The manifest registering the ``.graphql`` documents at ``paths`` (see README)."""
    from schema.trusted import manifest_of

    return manifest_of(paths)


def create_app(
    settings: Settings | None = None,
    database: Database | None = None,
    payments: PaymentProvider | None = None,
    carriers: Mapping[str, CarrierAdapter] | None = None,
) -> Starlette:
    settings = settings or Settings()
    configure_logging(settings.log_level, settings.log_format)
    database = database or Database.from_settings(settings)
    feed = EventFeed(database, FeedSettings(queue_limit=settings.subscriber_queue_limit))
    payments = payments or TestPaymentProvider()
    graphql = GraphQLView(
        build_schema(fast_execution=settings.fast_execution),
        settings=settings,
        database=database,
        payments=payments,
        carriers=carriers or BUILT_IN_CARRIERS,
        feed=feed,
    )

    async def health(_: Request) -> JSONResponse:
        return JSONResponse(
            {"status": "ok", "pid": os.getpid(), "subscribers": feed.subscriber_count}
        )

    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/health", health),
            Route("/labels/{owner_id}.pdf", label, methods=["GET"]),
            Route("/labels/returns/{owner_id}.pdf", return_label, methods=["GET"]),
            Route("/carriers/{carrier}/events", carrier_events, methods=["POST"]),
            Route("/exports/orders.{format}", orders_export, methods=["GET"]),
            Route("/reports/{name}.csv", report_csv, methods=["GET"]),
            Route(UNSUBSCRIBE_PATH, unsubscribe, methods=["GET", "POST"]),
        ],
        middleware=_middleware(settings),
        lifespan=_lifespan(settings, database, feed, payments, graphql),
    )
    app.state.database = database
    app.state.feed = feed
    app.state.settings = settings
    return app


def _middleware(settings: Settings) -> list[Middleware]:
    return [
        # Only the proxies named may say who the caller is (the rate limits' buckets).
        *(
            [Middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)]
            if settings.trusted_proxies
            else []
        ),
        Middleware(RequestIdMiddleware),
        Middleware(SecurityHeadersMiddleware),
        Middleware(BoundedBodies, default_bytes=settings.max_request_bytes),
        Middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["authorization", "content-type", "accept", "x-request-id"],
            expose_headers=["x-request-id", "content-disposition"],
            max_age=600,
        ),
    ]


def _lifespan(
    settings: Settings,
    database: Database,
    feed: EventFeed,
    payments: PaymentProvider,
    graphql: GraphQLView,
) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        # The offline geocoder's index takes seconds to build: build it before the first order.
        await asyncio.to_thread(warm_geocoder)
        _collect_garbage_for_a_long_lived_server()
        await feed.start()
        revocations = revocations_of(database)
        await revocations.refresh()  # before the first request: revoked tokens stay refused
        stop_background = asyncio.Event()
        refreshing = asyncio.create_task(revocations.run(stop_background))
        watching = asyncio.create_task(graphql.connections.run(stop_background))
        webhooks = (
            asyncio.create_task(WebhookWorker(database, settings).run(stop_background))
            if settings.webhooks_in_process
            else None
        )
        notifications = (
            asyncio.create_task(run_notifications(database, settings, stop_background))
            if settings.notifications_in_process
            else None
        )
        loops = _background_loops(settings, database, payments)
        for loop in loops:
            loop.start()
        yield
        for loop in loops:
            await loop.stop()
        stop_background.set()
        await refreshing
        await watching
        for worker in (webhooks, notifications):
            if worker is not None:
                await worker
        await feed.stop()
        await database.dispose()

    return lifespan


def _collect_garbage_for_a_long_lived_server() -> None:
    # Everything alive now (modules, schema, metadata) lives as long as the process; moving it
    # out of the collector's sight makes the collections that busy requests trigger cheaper.
    gc.freeze()
    # A worker holding a thousand subscriptions keeps a large young heap alive; collecting
    # every 700 allocations (the default) halted fan-out often enough to double its p99.
    gc.set_threshold(50_000, 20, 20)


def _background_loops(
    settings: Settings, database: Database, payments: PaymentProvider
) -> list[BackgroundLoop]:
    """The projections woken by each commit, and the periodic reconciliation and planning."""
    policy = PlanningPolicy.of(settings)
    return [
        BackgroundLoop(database, "kpi-projection", kpi_projection.catch_up),
        BackgroundLoop(
            database,
            "stock-alert-projection",
            functools.partial(alerts.catch_up, policy=policy),
        ),
        BackgroundLoop(
            database,
            "payment-reconciliation",
            functools.partial(reconcile_payments, payments=payments),
            every_seconds=60,
            woken_by_commits=False,
        ),
        BackgroundLoop(
            database, "delay-watch", mark_delayed, every_seconds=60, woken_by_commits=False
        ),
        BackgroundLoop(
            database,
            "plan-refresh",
            lambda db: alerts.refresh_plans(db, policy, utcnow().date()),
            every_seconds=settings.planning_refresh_minutes * 60,
            woken_by_commits=False,
        ),
    ]
