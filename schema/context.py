"""The per-request context every resolver sees."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeAlias

import strawberry

from api.auth import Principal
from api.db import Database, UnitOfWork
from api.events.feed import EventFeed
from api.orders.routing import OrderPolicy
from api.payments.provider import PaymentProvider
from api.ratelimits import RateLimits
from api.reads import RequestReads
from api.settings import Settings
from api.shipping.carriers import CarrierAdapter
from schema.trusted import TrustedDocuments

if TYPE_CHECKING:
    from schema.loaders import Loaders


@dataclass
class Context:
    settings: Settings
    database: Database
    principal: Principal
    request_id: str
    reads: RequestReads
    loaders: Loaders
    payments: PaymentProvider
    carriers: Mapping[str, CarrierAdapter]
    rate_limits: RateLimits
    request: Any = None
    client_host: str | None = None
    """The caller's address (a trusted proxy's X-Forwarded-For applied, see ``Settings``)."""
    response: Any = None
    feed: EventFeed | None = None
    connection_params: dict[str, Any] | None = None
    """A WebSocket's connection_init payload (its credentials)."""
    credential: str | None = None
    """The staff token or API key a WebSocket authenticated with, checked again before each
    of its operations."""
    trusted_documents: TrustedDocuments = field(default_factory=TrustedDocuments)
    customer_subscriptions: int = 0
    """Subscriptions a WebSocket holds on a tracking token alone (see ``Settings``)."""

    def unit_of_work(self) -> UnitOfWork:
        return self.database.unit_of_work(self.principal.actor)

    @property
    def order_policy(self) -> OrderPolicy:
        return OrderPolicy(
            max_shipments=self.settings.max_shipments_per_order,
            backorder_lead_days=self.settings.backorder_lead_days,
            idempotency_ttl=timedelta(hours=self.settings.idempotency_ttl_hours),
        )


Info: TypeAlias = strawberry.Info[Context, None]
