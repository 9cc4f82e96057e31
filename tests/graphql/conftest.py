from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from api.app import create_app
from api.auth import Role
from api.db import Database
from api.settings import Settings
from tests.factories import GraphQLClient, staff_token
from tests.service.orders.conftest import shop  # noqa: F401  (a catalogue with stock, and orders)


@pytest.fixture
def app(settings: Settings, database: Database) -> Starlette:
    return create_app(settings, database)


@pytest.fixture
async def http(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://oms.test") as client:
        yield client


@pytest.fixture
def anonymous(http: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(http)


@pytest.fixture
async def admin(http: httpx.AsyncClient, database: Database) -> GraphQLClient:
    return GraphQLClient(http, await staff_token(database, Role.ADMIN))


@pytest.fixture
async def warehouse(http: httpx.AsyncClient, database: Database) -> GraphQLClient:
    return GraphQLClient(http, await staff_token(database, Role.WAREHOUSE))


@pytest.fixture
async def support(http: httpx.AsyncClient, database: Database) -> GraphQLClient:
    return GraphQLClient(http, await staff_token(database, Role.SUPPORT))
