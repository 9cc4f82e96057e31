"""Subscriptions are held to the same guards as queries: with OMS_TRUSTED_DOCUMENTS_ONLY a
customer's WebSocket runs registered documents only, and the query cost limit refuses an
over-cost subscription before it starts."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import pytest

from api.cli import migrate_database
from schema.trusted import manifest_of
from tests.servers import serving
from tests.subscriptions.shop import (
    HOLD,
    SERVER_ENVIRONMENT,
    Shop,
    call,
    open_shop,
    place,
    subscribers,
    wait_for_subscribers,
)
from tests.wsclient import graphql_ws

FOLLOW = """subscription Follow($token: String!) {
  orderUpdated(trackingToken: $token) { order { number status } event { type } }
}
"""
FOLLOW_EVERYTHING = """subscription FollowEverything($token: String!) {
  orderUpdated(trackingToken: $token) {
    order {
      number status lines { quantity sku { code product { name } } }
      shipments { status trackingEvents { status } }
      totals { total { amount } subtotal { amount } shipping { amount } tax { amount } }
    }
    event { type }
  }
}
"""  # costs 13 points, FOLLOW 3


@pytest.fixture(scope="module")
def trusting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Shop]]:
    folder = tmp_path_factory.mktemp("trusted")
    (folder / "follow.graphql").write_text(FOLLOW)
    (folder / "follow-everything.graphql").write_text(FOLLOW_EVERYTHING)
    manifest = folder / "manifest.json"
    manifest.write_text(json.dumps(manifest_of([folder])))
    url = f"sqlite+aiosqlite:///{folder / 'oms.db'}"
    migrate_database(url)
    shop = open_shop(url)
    environment = {
        **os.environ, **SERVER_ENVIRONMENT, "DATABASE_URL": url,
        "OMS_TRUSTED_DOCUMENTS": str(manifest), "OMS_TRUSTED_DOCUMENTS_ONLY": "true",
        "OMS_MAX_QUERY_COST": "10",
    }  # fmt: skip
    with serving(environment, folder / "serve.log") as served:
        yield served, shop


async def test_a_customer_runs_a_registered_subscription_and_nothing_else(
    trusting: tuple[str, Shop],
) -> None:
    served, shop = trusting
    placed = await place(served, shop.staff)
    async with graphql_ws(served) as ws:
        unregistered = FOLLOW.replace("status", "status email")
        errors = await ws.errors_of(await ws.subscribe(unregistered, {"token": "x"}))
        assert errors[0]["extensions"]["code"] == "TRUSTED_DOCUMENT_REQUIRED", errors
        await ws.subscribe(FOLLOW, {"token": placed.tracking_token})
        await wait_for_subscribers(served, 1)
        await call(served, shop.staff, HOLD, {"id": placed.id})
        update = (await ws.next_data())["orderUpdated"]
        assert update["order"] == {"number": placed.number, "status": "ON_HOLD"}


async def test_an_over_cost_subscription_is_refused_before_it_starts(
    trusting: tuple[str, Shop],
) -> None:
    served, shop = trusting
    placed = await place(served, shop.staff)
    async with graphql_ws(served) as ws:
        refused = await ws.subscribe(FOLLOW_EVERYTHING, {"token": placed.tracking_token})
        errors = await ws.errors_of(refused)
        assert errors[0]["extensions"]["code"] == "MAX_COST_EXCEEDED", errors
        assert await subscribers(served) == 0
