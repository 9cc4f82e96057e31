"""Benchmark: the orders page of 50, or placeOrder, executed in process through the whole ASGI
app, timed and, with --profile, counted in Python function calls (a figure a noisy machine does
not move).

    DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1/oms_bench .venv/bin/python bench/python_calls.py --profile
    DATABASE_URL=... .venv/bin/python bench/python_calls.py --profile --operation place

Run it with PYTHONPATH pointing at another checkout to compare two versions on one database.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import time
import uuid
from typing import Any

import httpx

from api.app import create_app
from api.settings import Settings
from bench.place_order import ADDRESS, ORDERS_PAGE, PLACE

LOGIN = (
    'mutation { login(input: {email: "admin@example.com", password: "admin-password"}) { token } }'
)
RECEIVE = (
    "mutation($input: ReceiveInventoryInput!) { receiveInventory(input: $input) "
    "{ userErrors { code } } }"
)
STOCKED_SKUS = 20


async def _graphql(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any], headers: dict[str, str]
) -> Any:
    answer = (
        await client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
    ).json()
    assert "errors" not in answer, str(answer)[:300]
    return answer["data"]


async def _page_bodies(
    client: httpx.AsyncClient, headers: dict[str, str], rounds: int
) -> list[dict[str, Any]]:
    return [{"query": ORDERS_PAGE, "variables": {"n": 50}}] * rounds


async def _order_bodies(
    client: httpx.AsyncClient, headers: dict[str, str], rounds: int
) -> list[dict[str, Any]]:
    """2-line orders over the first SKUs, each stocked at every shipping location first (so
    that no order is backordered), each with its own idempotency key."""
    skus = await _graphql(
        client, "{ skus(active: true, first: 250) { nodes { code } } }", {}, headers
    )
    codes = [node["code"] for node in skus["skus"]["nodes"]][:STOCKED_SKUS]
    found = await _graphql(client, "{ locations(ships: true) { nodes { id } } }", {}, headers)
    for location in found["locations"]["nodes"]:
        for code in codes:
            receipt = {"locationId": location["id"], "sku": code, "quantity": rounds + 20}
            await _graphql(client, RECEIVE, {"input": receipt}, headers)
    return [
        {
            "query": PLACE,
            "variables": {
                "input": {
                    "channel": "web",
                    "customer": {"email": f"calls-{n % 50}@example.com", "name": "Bench Buyer"},
                    "lines": [
                        {"sku": codes[n % len(codes)], "quantity": 1},
                        {"sku": codes[(n + 1) % len(codes)], "quantity": 1},
                    ],
                    "shippingAddress": ADDRESS,
                    "payment": {"token": "tok_visa"},
                    "idempotencyKey": str(uuid.uuid4()),
                }
            },
        }
        for n in range(rounds + 20)
    ]


OPERATIONS = {"page": ("orders page of 50", "page", _page_bodies),
              "place": ("placeOrder", "order", _order_bodies)}  # fmt: skip


async def measure(operation: str, rounds: int, profile: bool) -> None:
    title, unit, bodies_for = OPERATIONS[operation]
    app = create_app(Settings())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://oms") as client:
            token = (await _graphql(client, LOGIN, {}, {}))["login"]["token"]
            headers = {"authorization": f"Bearer {token}"}
            bodies = await bodies_for(client, headers, rounds)
            for body in bodies[:20]:  # warm-up: caches, pool, code paths
                answer = await client.post("/graphql", json=body, headers=headers)
            assert "errors" not in answer.json(), answer.text[:300]
            profiler = cProfile.Profile() if profile else None
            start = time.perf_counter()
            if profiler:
                profiler.enable()
            for body in bodies[20 : 20 + rounds]:
                await client.post("/graphql", json=body, headers=headers)
            if profiler:
                profiler.disable()
            elapsed = time.perf_counter() - start
    print(f"{title}: {elapsed / rounds * 1000:.2f} ms per {unit} in process")
    if profiler:
        calls = pstats.Stats(profiler).total_calls  # type: ignore[attr-defined]
        print(f"  {calls / rounds:,.0f} Python function calls per {unit}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--operation", choices=sorted(OPERATIONS), default="page")
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    asyncio.run(measure(args.operation, args.rounds, args.profile))


if __name__ == "__main__":
    main()
