"""Benchmark: the inventoryLevels page (levels with their location and SKU) over HTTP.

Run `make run` in one terminal, then `make bench` (or this script) in another. It reports
requests/s and p50/p99 latency from wrk (falling back to a Python client when wrk is missing,
which measures itself more than the server), and the SQL statements one request costs for page
sizes 10 and 100, counted in process against the same database.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from typing import Any

import httpx
from sqlalchemy import event

from api.app import create_app
from api.db import Database
from api.settings import Settings

QUERY = """query Levels($first: Int!) {
  inventoryLevels(first: $first) {
    totalCount
    edges { cursor node {
      id onHand reserved available incoming damaged qualityControl safetyStock
      location { id code name address { city country } }
      sku { id code name price { amount currency } }
    } }
    pageInfo { hasNextPage endCursor }
  }
}"""
LOGIN = """mutation($e: String!, $p: String!) {
  login(input: {email: $e, password: $p}) { token userErrors { message } }
}"""


def login(url: str, email: str, password: str) -> str:
    response = httpx.post(url, json={"query": LOGIN, "variables": {"e": email, "p": password}})
    payload = response.json()["data"]["login"]
    if not payload["token"]:
        raise SystemExit(f"login failed: {payload['userErrors']}")
    return str(payload["token"])


def check_page(url: str, token: str, page_size: int) -> None:
    body = {"query": QUERY, "variables": {"first": page_size}}
    response = httpx.post(url, json=body, headers={"authorization": f"Bearer {token}"})
    data = response.json()
    if "errors" in data:
        raise SystemExit(f"query failed: {data['errors']}")
    rows = len(data["data"]["inventoryLevels"]["edges"])
    if rows != page_size:
        raise SystemExit(f"expected {page_size} rows, got {rows}: load the demo data first")


def run_wrk(
    url: str, token: str, page_size: int, seconds: int, connections: int
) -> dict[str, float]:
    body = json.dumps({"query": QUERY, "variables": {"first": page_size}})
    script = (
        'wrk.method = "POST"\n'
        f"wrk.body = {json.dumps(body)}\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["Authorization"] = "Bearer {token}"\n'
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script)
    try:
        output = subprocess.run(
            [
                "wrk",
                f"-t{min(2, connections)}",
                f"-c{connections}",
                f"-d{seconds}s",
                "--latency",
                "-s",
                lua.name,
                url,
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    finally:
        os.unlink(lua.name)
    if "Non-2xx" in output:
        raise SystemExit(f"wrk saw failed requests:\n{output}")

    def latency(percent: str) -> float:
        match = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        assert match, output
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    return {"rps": rps, "p50_ms": latency("50"), "p99_ms": latency("99")}


async def run_python_client(
    url: str, token: str, page_size: int, seconds: int, connections: int
) -> dict[str, float]:
    body = {"query": QUERY, "variables": {"first": page_size}}
    latencies: list[float] = []
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=connections)
    async with httpx.AsyncClient(
        headers={"authorization": f"Bearer {token}"}, limits=limits
    ) as client:

        async def worker() -> None:
            while time.monotonic() < deadline:
                started = time.perf_counter()
                response = await client.post(url, json=body)
                response.raise_for_status()
                latencies.append((time.perf_counter() - started) * 1000)

        started = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.monotonic() - started
    quantiles = statistics.quantiles(latencies, n=100)
    return {"rps": len(latencies) / elapsed, "p50_ms": quantiles[49], "p99_ms": quantiles[98]}


async def statements_per_request(
    page_sizes: list[int], email: str, password: str
) -> dict[int, int]:
    settings = Settings()
    database = Database.from_settings(settings)
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    app = create_app(settings, database)
    counts: dict[int, int] = {}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        response = await client.post(
            "/graphql", json={"query": LOGIN, "variables": {"e": email, "p": password}}
        )
        token = response.json()["data"]["login"]["token"]
        event.listen(database.engine.sync_engine, "before_cursor_execute", count)
        for size in page_sizes:
            statements.clear()
            response = await client.post(
                "/graphql",
                json={"query": QUERY, "variables": {"first": size}},
                headers={"authorization": f"Bearer {token}"},
            )
            assert len(response.json()["data"]["inventoryLevels"]["edges"]) == size
            counts[size] = len(statements)
    await database.dispose()
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000/graphql")
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--email", default="admin@example.com")
    parser.add_argument("--password", default="admin-password")
    args = parser.parse_args()

    token = login(args.url, args.email, args.password)
    check_page(args.url, token, args.page_size)
    load_before = os.getloadavg()[0]
    if shutil.which("wrk"):
        tool = "wrk"
        figures = run_wrk(args.url, token, args.page_size, args.seconds, args.connections)
    else:
        tool = "python client (install wrk for server-bound figures)"
        figures = asyncio.run(
            run_python_client(args.url, token, args.page_size, args.seconds, args.connections)
        )
    counts = asyncio.run(statements_per_request([10, 100], args.email, args.password))

    print(
        f"inventoryLevels(first: {args.page_size}) with location and sku, "
        f"{args.connections} connections, {args.seconds}s, {tool}"
    )
    print(f"  requests/s   {figures['rps']:.0f}")
    print(f"  p50 latency  {figures['p50_ms']:.1f} ms")
    print(f"  p99 latency  {figures['p99_ms']:.1f} ms")
    print(f"  SQL statements per request: page 10 -> {counts[10]}, page 100 -> {counts[100]}")
    print(f"  load average before the run: {load_before:.2f}")
    if counts[10] != counts[100]:
        raise SystemExit("statement count grows with the page size")


if __name__ == "__main__":
    main()
