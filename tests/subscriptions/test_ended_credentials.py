"""An open WebSocket loses its rights with its credentials: a revoked API key, a revoked or
expired staff token, a deactivated user. Running subscriptions are closed (4403) within a few
seconds; a new operation is refused at once."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from datetime import timedelta

from api.auth import Role, issue_access_token
from tests.factories import TEST_SECRET
from tests.subscriptions.shop import Shop, call
from tests.wsclient import graphql_ws

FIREHOSE = "subscription { orderEvents { type } }"
CREATE_KEY = """mutation { createApiKey(input: {name: "feed", scopes: [ORDERS_READ]})
  { apiKey { id } secret userErrors { code } } }"""
REVOKE_KEY = "mutation($id: ID!) { revokeApiKey(input: {id: $id}) { userErrors { code } } }"
REVOKE_TOKENS = """mutation($id: ID!) { revokeStaffTokens(input: {userId: $id})
  { userErrors { code } } }"""
CREATE_USER = """mutation { createUser(input: {email: "leaver@example.com", role: SUPPORT,
  password: "a-long-password"}) { user { id } userErrors { code } } }"""
LOGIN = """mutation { login(input: {email: "leaver@example.com", password: "a-long-password"})
  { token userErrors { code } } }"""


async def new_key(served: str, shop: Shop) -> tuple[str, str]:
    created = (await call(served, shop.staff, CREATE_KEY, {}))["createApiKey"]
    return created["apiKey"]["id"], created["secret"]


async def test_a_revoked_api_key_loses_its_running_subscription(
    sqlite_served: str, sqlite_shop: Shop
) -> None:
    key_id, secret = await new_key(sqlite_served, sqlite_shop)
    async with graphql_ws(sqlite_served, {"authorization": f"Bearer {secret}"}) as ws:
        await ws.subscribe(FIREHOSE)
        await asyncio.sleep(0.3)
        await call(sqlite_served, sqlite_shop.staff, REVOKE_KEY, {"id": key_id})
        revoked_at = time.monotonic()
        assert await ws.closed_with(within=10) == 4403
        assert time.monotonic() - revoked_at < 5


async def test_a_key_revoked_elsewhere_cannot_start_an_operation(
    sqlite_served: str, sqlite_url: str, sqlite_shop: Shop
) -> None:
    _key_id, secret = await new_key(sqlite_served, sqlite_shop)
    async with graphql_ws(sqlite_served, {"authorization": f"Bearer {secret}"}) as ws:
        # Revoked by another process: this one has not heard of it yet.
        prefix = secret.split("_")[1]
        path = sqlite_url.removeprefix("sqlite+aiosqlite:///")
        with sqlite3.connect(path) as database:
            database.execute(
                "UPDATE api_key SET revoked_at = CURRENT_TIMESTAMP WHERE prefix = ?", (prefix,)
            )
        await ws.subscribe(FIREHOSE)
        assert await ws.closed_with(within=5) == 4403


async def test_revoked_staff_tokens_lose_their_connection(
    sqlite_served: str, sqlite_shop: Shop
) -> None:
    created = await call(sqlite_served, sqlite_shop.staff, CREATE_USER, {})
    user_id = created["createUser"]["user"]["id"]
    login = await call(sqlite_served, "none", LOGIN, {})
    token = login["login"]["token"]
    async with graphql_ws(sqlite_served, {"authorization": f"Bearer {token}"}) as ws:
        await ws.subscribe(FIREHOSE)
        await asyncio.sleep(0.3)
        await call(sqlite_served, sqlite_shop.staff, REVOKE_TOKENS, {"id": user_id})
        assert await ws.closed_with(within=5) == 4403


async def test_an_expiring_token_ends_its_connection(sqlite_served: str) -> None:
    token, expires_at = issue_access_token(
        1, Role.ADMIN, secret_key=TEST_SECRET, lifetime=timedelta(seconds=2)
    )
    async with graphql_ws(sqlite_served, {"authorization": f"Bearer {token}"}) as ws:
        await ws.subscribe(FIREHOSE)
        assert await ws.closed_with(within=6) == 4403
        assert time.time() >= int(expires_at.timestamp()), "the token says whole seconds"
