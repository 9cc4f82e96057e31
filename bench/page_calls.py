"""Benchmark: the orders page of 50 executed in process through the whole ASGI app, timed and,
with --profile, counted in Python function calls (a figure a noisy machine does not move).

    DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1/oms_bench .venv/bin/python bench/page_calls.py --profile

Run it with PYTHONPATH pointing at another checkout to compare two versions on one database.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import time

import httpx

from api.app import create_app
from api.settings import Settings
from bench.place_order import ORDERS_PAGE

LOGIN = (
    'mutation { login(input: {email: "admin@example.com", password: "admin-password"}) { token } }'
)


async def measure(rounds: int, profile: bool) -> None:
    app = create_app(Settings())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://oms") as client:
            token = (await client.post("/graphql", json={"query": LOGIN})).json()["data"]["login"][
                "token"
            ]
            headers = {"authorization": f"Bearer {token}"}
            body = {"query": ORDERS_PAGE, "variables": {"n": 50}}
            for _ in range(20):  # warm-up: caches, pool, code paths
                answer = await client.post("/graphql", json=body, headers=headers)
            assert "errors" not in answer.json(), answer.text[:300]
            profiler = cProfile.Profile() if profile else None
            start = time.perf_counter()
            if profiler:
                profiler.enable()
            for _ in range(rounds):
                await client.post("/graphql", json=body, headers=headers)
            if profiler:
                profiler.disable()
            elapsed = time.perf_counter() - start
    print(f"orders page of 50: {elapsed / rounds * 1000:.2f} ms per page in process")
    if profiler:
        calls = pstats.Stats(profiler).total_calls  # type: ignore[attr-defined]
        print(f"  {calls / rounds:,.0f} Python function calls per page")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    asyncio.run(measure(args.rounds, args.profile))


if __name__ == "__main__":
    main()
