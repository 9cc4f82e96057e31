"""With OMS_TRUSTED_DOCUMENTS_ONLY, a customer's WebSocket runs registered subscriptions only."""

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
    wait_for_subscribers,
)
from tests.wsclient import graphql_ws

FOLLOW = """subscription Follow($token: String!) {
  orderUpdated(trackingToken: $token) { order { number status } event { type } }
}
"""


@pytest.fixture(scope="module")
def trusting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Shop]]:
    folder = tmp_path_factory.mktemp("trusted")
    (folder / "follow.graphql").write_text(FOLLOW)
    manifest = folder / "manifest.json"
    manifest.write_text(json.dumps(manifest_of([folder / "follow.graphql"])))
    url = f"sqlite+aiosqlite:///{folder / 'oms.db'}"
    migrate_database(url)
    shop = open_shop(url)
    environment = {
        **os.environ, **SERVER_ENVIRONMENT, "DATABASE_URL": url,
        "OMS_TRUSTED_DOCUMENTS": str(manifest), "OMS_TRUSTED_DOCUMENTS_ONLY": "true",
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
