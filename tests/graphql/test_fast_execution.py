"""The fast execution path (leaf attributes read directly, shared subscription results) answers
every query the admin app sends exactly as graphql-core's own path does
(``OMS_FAST_EXECUTION=false``), on a simulated shop's history."""

from __future__ import annotations

import re
import tomllib
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from api.app import create_app
from api.auth import Role
from api.catalog.models import Sku
from api.db import Database
from api.dbtypes import simulated_time
from api.fulfilment.endpoints import label_link_valid
from api.fulfilment.models import PickList
from api.inventory.models import InventoryLevel
from api.notifications import outbox
from api.orders.links import link_token
from api.orders.models import Order, order_number
from api.returns.models import Return
from api.seed import seed_demo_data
from api.settings import Settings
from schema.execution import WRITTEN_FOR_VERSIONS, require_written_for_versions
from schema.relay import encode_global_id
from tests.factories import GraphQLClient, staff_token
from tests.service.simulation.test_simulator import FIRST_DAY, simulated

ROOT = Path(__file__).resolve().parents[2]
ADMIN_SOURCES = ROOT / "admin-ui" / "src"
PYPROJECT = ROOT / "pyproject.toml"
QUERY = re.compile(r"^query (\w+)", re.MULTILINE)


def admin_queries() -> dict[str, str]:
    """Every query document of the admin app, by operation name (with its fragments)."""
    found = {}
    for path in sorted(ADMIN_SOURCES.rglob("*.graphql")):
        text = path.read_text()
        if match := QUERY.search(text):
            found[match.group(1)] = text
    return found


def variables_for(ids: dict[str, Any]) -> dict[str, dict[str, Any]]:
    page = {"first": 25}
    return {
        "Viewer": {},
        "Orders": page,
        "Order": {"number": ids["order"], "withCustomer": True},
        "Customers": page,
        "Messages": page,
        "TrackOrder": {"token": ids["link"]},
        "PickLists": page,
        "PickList": {"id": ids["pickList"]},
        "InventoryLevels": page,
        "Returns": page,
        "Return": {"id": ids["return"]},
        "PurchaseOrders": page,
        "Planning": {},
        "Kpis": {
            "from": f"{FIRST_DAY.isoformat()}T00:00:00Z",
            "to": f"{date(2026, 3, 9).isoformat()}T00:00:00Z",
            "granularity": "DAY",
        },
        "Users": page,
        "ApiKeys": {},
        "Places": {},
        "Webhooks": {},
        "Skus": page,
        "Sku": {"code": ids["sku"]},
        "SkuSupply": {"code": ids["sku"]},
        "Shipments": page,
        "LateShipments": {},
        "Transfers": page,
        "LevelHistory": {**page, "locationId": ids["location"], "sku": ids["sku"]},
        "PhoneOrderSetup": {},
        "Bins": {"locationId": ids["location"], "withLevels": True},
        "LevelAt": {
            "locationId": ids["location"],
            "sku": ids["sku"],
            "at": f"{date(2026, 3, 9).isoformat()}T12:00:00Z",
        },
        "Reports": {"locationId": ids["location"], "first": 20},
        "SimulateRouting": {
            "input": {
                "lines": [{"sku": ids["sku"], "quantity": 2}],
                "shippingAddress": {
                    "name": "Ana Phone",
                    "line1": "Unter den Linden 1",
                    "city": "Berlin",
                    "postalCode": "10117",
                    "country": "DE",
                },
            }
        },
    }


def test_every_admin_query_is_compared() -> None:
    assert set(admin_queries()) == set(
        variables_for(dict.fromkeys(("order", "pickList", "return", "sku", "location", "link"), ""))
    )


def test_the_fast_path_is_written_for_the_pinned_versions() -> None:
    pinned = {
        name: pinned_version
        for requirement in tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]
        for name, _, pinned_version in [requirement.partition("==")]
        if name in WRITTEN_FOR_VERSIONS
    }
    assert pinned == WRITTEN_FOR_VERSIONS
    require_written_for_versions()


def test_start_up_refuses_versions_the_fast_path_was_not_written_for(
    settings: Settings, database: Database
) -> None:
    elsewhere = {**WRITTEN_FOR_VERSIONS, "graphql-core": "3.2.0"}
    with pytest.raises(RuntimeError, match="OMS_FAST_EXECUTION=false"):
        require_written_for_versions(elsewhere)
    create_app(settings.model_copy(update={"fast_execution": False}), database)


async def _client(settings: Settings, database: Database, fast: bool) -> httpx.AsyncClient:
    app = create_app(settings.model_copy(update={"fast_execution": fast}), database)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://oms.test")


async def test_both_execution_paths_answer_every_admin_query_alike(
    settings: Settings, database: Database
) -> None:
    with simulated_time(datetime.combine(FIRST_DAY, time(), UTC)):
        await seed_demo_data(database, orders=False)
    await simulated(database, days=6, orders_per_day=6)
    async with database.session() as session:
        first_order = (await session.execute(select(func.min(Order.id)))).scalar_one()
        hashed = (
            await session.execute(select(Order.tracking_token_hash).where(Order.id == first_order))
        ).scalar_one()
        pick_list = (await session.execute(select(func.min(PickList.id)))).scalar_one()
        a_return = (await session.execute(select(func.min(Return.id)))).scalar_one()
        level = (await session.execute(select(InventoryLevel).limit(1))).scalar_one()
        sku = (await session.execute(select(Sku.code).where(Sku.id == level.sku_id))).scalar_one()
    assert first_order and pick_list and a_return and sku, "the history holds each kind of record"
    variables = variables_for(
        {
            "order": order_number(first_order),
            "pickList": encode_global_id("PickList", pick_list),
            "return": encode_global_id("Return", a_return),
            "sku": sku,
            "location": encode_global_id("Location", level.location_id),
            "link": link_token(first_order, hashed, settings.secret_key),
        }
    )
    await outbox.catch_up(database, settings)
    token = await staff_token(database, Role.ADMIN, email="both-paths@example.com")
    async with (
        await _client(settings, database, fast=True) as fast_http,
        await _client(settings, database, fast=False) as plain_http,
    ):
        fast, plain = GraphQLClient(fast_http, token), GraphQLClient(plain_http, token)
        # One moment for both paths: a report counts how late a shipment is from now.
        with simulated_time(datetime.now(UTC)):
            for name, document in admin_queries().items():
                expected = await plain.execute(document, variables[name])
                assert "errors" not in expected, (name, expected.get("errors"))
                answer = await fast.execute(document, variables[name])
                assert unsigned(answer, settings) == unsigned(expected, settings), name


SIGNED_LABEL = re.compile(r"^/labels/(returns/)?(\d+)\.pdf\?expires=(\d+)&signature=(\w+)$")


def unsigned(answer: Any, settings: Settings) -> Any:
    """The answer with each label link's signature checked and dropped: a link's expiry counts
    from the second it is written, which two requests need not share."""
    if isinstance(answer, dict):
        return {key: unsigned(value, settings) for key, value in answer.items()}
    if isinstance(answer, list):
        return [unsigned(value, settings) for value in answer]
    if isinstance(answer, str) and (link := SIGNED_LABEL.match(answer)):
        returns, owner_id, expires, signature = link.groups()
        kind = "return" if returns else "shipment"
        assert label_link_valid(int(owner_id), expires, signature, settings, kind), answer
        return answer.partition("?")[0]
    return answer
