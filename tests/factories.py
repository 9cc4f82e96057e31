"""Small builders for test state, all going through the real services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx

from api.auth import SYSTEM_ACTOR, Role, issue_access_token
from api.catalog.models import Product
from api.catalog.service import SkuFields, create_product
from api.channels.events import ChannelCreated
from api.db import Database
from api.events.declared import DomainEvent
from api.inventory.events import InventoryReceived, LevelSnapshot
from api.inventory.models import InventoryLevel
from api.inventory.service import receive_inventory
from api.locations.models import Location
from api.locations.service import AddressFields, create_location
from api.orders.events import OrderCancelled, OrderHeld
from api.orders.models import order_number
from api.users.service import create_api_key, create_user

TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"

CITIES = {
    "BER": ("Berlin", "10115", "DE", 52.52, 13.405),
    "HAM": ("Hamburg", "20095", "DE", 53.5511, 9.9937),
    "MUC": ("Munich", "80331", "DE", 48.1351, 11.582),
}


async def make_location(database: Database, code: str = "BER", **overrides: Any) -> Location:
    city, postal, country, lat, lon = CITIES.get(code, CITIES["BER"])
    arguments: dict[str, Any] = {
        "code": code,
        "name": f"{city} warehouse",
        "address": AddressFields(line1="Street 1", city=city, postal_code=postal, country=country),
        "latitude": lat,
        "longitude": lon,
    }
    arguments.update(overrides)
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        return await create_location(uow, **arguments)


async def make_product(
    database: Database, *codes: str, price: int = 1000, name: str = "Test product"
) -> Product:
    skus = [
        SkuFields(code=code, name=f"{name} {code}", price=price) for code in codes or ("SKU-1",)
    ]
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        return await create_product(uow, name=name, skus=skus)


async def receive(
    database: Database, location: Location, sku: str, quantity: int
) -> InventoryLevel:
    assert location.id is not None
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        return await receive_inventory(
            uow, location_id=location.id, sku_code=sku, quantity=quantity
        )


async def staff_token(database: Database, role: Role = Role.ADMIN, email: str | None = None) -> str:
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        user = await create_user(
            uow,
            email=email or f"{role.value}@example.com",
            password="correct horse battery",
            role=role,
        )
    assert user.id is not None
    token, _ = issue_access_token(
        user.id, role, secret_key=TEST_SECRET, lifetime=timedelta(hours=1)
    )
    return token


async def api_key(database: Database, *scopes: str) -> str:
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        created = await create_api_key(uow, name="partner", scopes=list(scopes))
    return created.secret


@dataclass
class GraphQLClient:
    http: httpx.AsyncClient
    token: str | None = None

    async def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        request_headers = {"accept": "application/graphql-response+json"}
        bearer = token if token is not None else self.token
        if bearer:
            request_headers["authorization"] = f"Bearer {bearer}"
        request_headers.update(headers or {})
        return await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=request_headers
        )

    async def execute(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> dict[str, Any]:
        response = await self.post(query, variables, token=token)
        body: dict[str, Any] = response.json()
        return body

    async def data(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> dict[str, Any]:
        body = await self.execute(query, variables, token=token)
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data


async def make_channel(database: Database, code: str = "web") -> None:
    from api.channels.service import create_channel

    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        await create_channel(uow, code=code, name=code.title())


def channel_created(channel_id: int) -> ChannelCreated:
    return ChannelCreated(
        channel_id=channel_id, code=f"c{channel_id}", name=f"Channel {channel_id}"
    )


def order_held(order_id: int) -> OrderHeld:
    return OrderHeld(
        order_id=order_id, number=order_number(order_id), reason="checked", status="ON_HOLD"
    )


def order_cancelled(order_id: int) -> OrderCancelled:
    return OrderCancelled(
        order_id=order_id, number=order_number(order_id), reason="changed their mind",
        status="CANCELLED", lines=[], total=0, levels=[],
    )  # fmt: skip


def inventory_received(level_id: int) -> InventoryReceived:
    level = LevelSnapshot(
        level_id=level_id, location_id=1, sku="TEE-M", sku_id=1, on_hand=5, reserved=0,
        available=5, incoming=0, damaged=0, quality_control=0, discrepancy=0, safety_stock=0,
    )  # fmt: skip
    return InventoryReceived(level=level, quantity=5, reference=None)


async def commit_events(
    database: Database,
    *aggregate_ids: int,
    event: Callable[[int], DomainEvent] = channel_created,
) -> None:
    """One committed ``event`` per aggregate id, each in a unit of work of its own."""
    for aggregate_id in aggregate_ids:
        async with database.unit_of_work(SYSTEM_ACTOR) as uow:
            uow.record(event(aggregate_id))
            await uow.commit()
