"""Query cost before execution, and the budget partners and anonymous callers spend it from."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from graphql import parse
from sqlalchemy import event

from api.app import create_app
from api.db import Database
from api.ratelimits import Budget, LocalBuckets, address_key
from api.settings import Settings
from schema.build import build_schema
from schema.cost import costing
from tests.conftest import StatementCounter
from tests.factories import GraphQLClient, api_key

ORDERS_DEEP = """{ orders(first: 100) { edges { node { number lines { quantity sku { code
  product { name skus { code } } } } } } } }"""
SKUS = "{ skus(first: 4) { nodes { code product { name } } } }"


def operation_cost(query: str, variables: dict[str, int] | None = None) -> int:
    return costing(build_schema()._schema, parse(query), None, variables or {}, 250)[0]


def test_cost_counts_objects_and_multiplies_connections_by_their_page() -> None:
    assert operation_cost("{ viewer { kind } }") == 1
    # the connection (2) and, per node, the node (1) and its product (1)
    assert operation_cost(SKUS) == 2 + 4 * 2
    with_variable = "query($n: Int) { skus(first: $n) { nodes { code product { name } } } }"
    assert operation_cost(with_variable, {"n": 10}) == 2 + 10 * 2
    # no page size: the largest page is assumed
    assert operation_cost("{ skus { nodes { code } } }") == 2 + 250


def test_fragments_cost_what_they_select_on_their_type() -> None:
    on_orders = operation_cost("{ orders(first: 250) { nodes { lines { sku { code } } } } }")
    ids = ", ".join(f'"id{n}"' for n in range(250))
    by_ids = f"{{ nodes(ids: [{ids}]) {{ ... on Order {{ lines {{ sku {{ code }} }} }} }} }}"
    assert operation_cost(by_ids) >= on_orders - 2, "250 orders cost the same either way"
    spread = (
        f"query {{ nodes(ids: [{ids}]) {{ ...Lines }} }} "
        "fragment Lines on Order { lines { sku { code } } }"
    )
    assert operation_cost(spread) == operation_cost(by_ids)
    listed = "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Order { lines { quantity } } } }"
    assert costing(build_schema()._schema, parse(listed), None, {"ids": ["a"] * 10}, 250)[0] == 21
    # One object is one type: the dearest fragment counts, not the sum of all of them.
    either = (
        '{ node(id: "x") { ... on Order { customer { name } } ... on Sku { product { name } } } }'
    )
    assert operation_cost(either) == 2
    assert operation_cost('{ node(id: "x") { id } }') == 1


@pytest.fixture
async def limited(settings: Settings, database: Database) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(
        settings.model_copy(update={"rate_limit_points_per_second": 3, "max_query_cost": 500}),
        database,
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://oms.test") as client:
        yield client


async def test_an_over_cost_query_is_refused_before_any_resolver_runs(
    limited: httpx.AsyncClient, database: Database
) -> None:
    client = GraphQLClient(limited, await api_key(database, "orders:read", "catalog:read"))
    counter = StatementCounter()
    event.listen(database.engine.sync_engine, "before_cursor_execute", counter)
    try:
        body = (await client.post(ORDERS_DEEP)).json()
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", counter)
    assert body["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"
    assert body.get("data") is None
    assert counter.count == 1, "only the API key's own lookup: no resolver ran"
    assert body["extensions"]["cost"]["requested"] > 500


async def test_a_partner_over_budget_is_throttled_and_recovers(
    limited: httpx.AsyncClient, database: Database
) -> None:
    client = GraphQLClient(limited, await api_key(database, "catalog:read"))
    answers = [await client.post(SKUS) for _ in range(4)]  # 10 points each; 30 in the bucket
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    refused = answers[-1].json()
    assert refused["errors"][0]["extensions"]["code"] == "THROTTLED"
    retry_after = int(answers[-1].headers["retry-after"])
    assert 1 <= retry_after <= 4
    status = answers[0].json()["extensions"]["cost"]
    assert status["requested"] == 10 and status["throttleStatus"]["restoreRate"] == 3
    await asyncio.sleep(retry_after + 0.5)
    assert (await client.post(SKUS)).status_code == 200


async def test_staff_are_not_charged(limited: httpx.AsyncClient, database: Database) -> None:
    from tests.factories import staff_token

    client = GraphQLClient(limited, await staff_token(database))
    answers = [await client.post(SKUS) for _ in range(6)]
    assert {answer.status_code for answer in answers} == {200}
    assert "throttleStatus" not in answers[0].json()["extensions"]["cost"]


async def test_a_bucket_drains_at_its_rate() -> None:
    now = [100.0]
    buckets = LocalBuckets(clock=lambda: now[0])
    budget = Budget.per_second(3)
    assert await buckets.charge("key:1", 25, budget) == (True, 5, 0.0)  # holds 30
    allowed, left, wait = await buckets.charge("key:1", 10, budget)
    assert (allowed, left, wait) == (False, 5, 5 / 3)
    now[0] += wait
    assert (await buckets.charge("key:1", 10, budget))[0]
    assert (await buckets.charge("key:2", 30, budget))[0], "each principal its own bucket"
    await buckets.refund("key:2", 40, budget)
    assert (await buckets.charge("key:2", 30, budget)).left == 0, "refunded to empty, no lower"


def test_an_anonymous_bucket_is_an_address_and_an_ipv6_one_its_64() -> None:
    assert address_key("203.0.113.7") == "address:203.0.113.7"
    assert address_key("::ffff:203.0.113.7") == "address:203.0.113.7"
    assert address_key("2001:db8:1:2:aaaa::1") == address_key("2001:db8:1:2:bbbb::9")
    assert address_key("2001:db8:1:2::1") == "address:2001:db8:1:2::/64"
    assert address_key("2001:db8:1:3::1") != address_key("2001:db8:1:2::1")


def client_at(app: object, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url="http://oms.test")


TRACKING = '{ orderByTrackingToken(token: "no-such-token") { number } }'


async def test_one_anonymous_caller_cannot_spend_another_addresses_budget(
    settings: Settings, database: Database
) -> None:
    app = create_app(settings.model_copy(update={"rate_limit_points_per_second": 1}), database)
    async with client_at(app, "198.51.100.1") as greedy, client_at(app, "198.51.100.2") as other:
        answers = [await GraphQLClient(greedy).post(TRACKING) for _ in range(11)]
        assert answers[-1].status_code == 429, "ten points a bucket, one a query"
        forged = await GraphQLClient(greedy).post(TRACKING, headers={"x-forwarded-for": "1.2.3.4"})
        assert forged.status_code == 429, "no proxy is trusted: the header names nobody"
        assert (await GraphQLClient(other).post(TRACKING)).status_code == 200


async def test_a_trusted_proxy_names_the_caller(settings: Settings, database: Database) -> None:
    app = create_app(
        settings.model_copy(
            update={"rate_limit_points_per_second": 1, "trusted_proxies": ["10.0.0.0/8"]}
        ),
        database,
    )
    async with client_at(app, "10.1.2.3") as proxy:
        client = GraphQLClient(proxy)
        greedy = {"x-forwarded-for": "198.51.100.1"}
        answers = [await client.post(TRACKING, headers=greedy) for _ in range(11)]
        assert answers[-1].status_code == 429
        # The proxy appends the peer it saw; whatever the caller put before it is its own.
        spoofed = {"x-forwarded-for": "198.51.100.9, 198.51.100.1"}
        assert (await client.post(TRACKING, headers=spoofed)).status_code == 429
        other = {"x-forwarded-for": "198.51.100.2"}
        assert (await client.post(TRACKING, headers=other)).status_code == 200


async def test_an_api_key_may_have_its_own_rate(
    limited: httpx.AsyncClient, database: Database, admin: GraphQLClient
) -> None:
    created = await admin.data(
        'mutation { createApiKey(input: {name: "bulk", scopes: [CATALOG_READ], '
        "pointsPerSecond: 50}) { secret userErrors { code } } }"
    )
    client = GraphQLClient(limited, created["createApiKey"]["secret"])
    answers = [await client.post(SKUS) for _ in range(6)]  # 60 points: over the default's 30
    assert {answer.status_code for answer in answers} == {200}
    assert answers[0].json()["extensions"]["cost"]["throttleStatus"]["restoreRate"] == 50
    refused = await admin.data(
        'mutation { createApiKey(input: {name: "x", scopes: [CATALOG_READ], pointsPerSecond: 0})'
        " { userErrors { code field } } }"
    )
    assert refused["createApiKey"]["userErrors"] == [
        {"code": "INVALID_INPUT", "field": ["pointsPerSecond"]}
    ]


async def test_guards_refuse_before_any_resolver_runs(
    admin: GraphQLClient, count_statements: StatementCounter
) -> None:
    """A staff token costs no query to check, so any SQL at all would be a resolver running."""
    nested = "{ skus(first: 1) { nodes { " + "product { skus { " * 4 + "%s" + " } }" * 4 + " } } }"
    depth_10, depth_11 = nested % "code", nested % "product { name }"
    aliases = "{ " + " ".join(f"a{n}: viewer {{ kind }}" for n in range(31)) + " }"
    batch = [{"query": "{ viewer { kind } }"}] * 2
    assert (await admin.post(depth_10)).json()["data"]["skus"] == {"nodes": []}, "10 is allowed"
    assert count_statements.count > 0
    count_statements.statements.clear()
    refused = {
        depth_11: "exceeds maximum operation depth of 10",
        aliases: "aliases",
        "{ skus(first: 251) { nodes { code } } }": "first and last must be between 0 and 250",
        "query($n: Int) { orders(last: $n) { nodes { number } } }": "between 0 and 250",
    }
    for query, reason in refused.items():
        body = (await admin.post(query, {"n": 1000})).json()
        assert body.get("data") is None and reason in body["errors"][0]["message"], body
    batched = await admin.http.post(
        "/graphql", json=batch, headers={"authorization": f"Bearer {admin.token}"}
    )
    assert batched.status_code == 400 and "Batching is not enabled" in batched.text
    assert count_statements.count == 0
