"""Benchmark: placeOrder throughput and latency, statements per order, the orders page, and the
raw-SQL ceiling of the same transaction.

    DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1/oms_bench .venv/bin/oms migrate
    DATABASE_URL=... .venv/bin/oms seed
    DATABASE_URL=... OMS_ENV=development .venv/bin/oms serve --workers 2 --port 8001
    DATABASE_URL=... .venv/bin/python bench/place_order.py --url http://127.0.0.1:8001/graphql

Orders are 2-line orders of random SKUs across the catalogue, each with its own idempotency
key, sent by wrk (Debian's package) with a Lua script.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event

from api.db import Database
from api.orders.placement import place_order
from api.orders.requests import LineRequest, PlaceOrderRequest, ShippingAddress
from api.orders.routing import OrderPolicy
from api.payments.provider import TestPaymentProvider
from api.settings import Settings

HERE = Path(__file__).resolve().parent
PLACE = (
    "mutation($input: PlaceOrderInput!) { placeOrder(input: $input) "
    "{ order { id number totals { total { amount } } } userErrors { code } } }"
)
ORDERS_PAGE = """query($n: Int!) { orders(first: $n, reverse: true) { edges { node {
  number status email customer { email } totals { total { amount currency } }
  lines { quantity quantityAllocated sku { code } }
  allocations { quantity location { code } }
  shipments { status trackingNumber location { code } } } } } }"""
LOGIN = "mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { token } }"
BENCH_STOCK = 2_000
ADDRESS = {
    "name": "Bench Buyer", "line1": "Hauptstraße 1", "city": "Potsdam", "postalCode": "14467",
    "country": "DE", "latitude": 52.39, "longitude": 13.06,
}  # fmt: skip


def graphql(url: str, query: str, variables: dict[str, Any], token: str | None = None) -> Any:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    body = httpx.post(url, json={"query": query, "variables": variables}, headers=headers).json()
    if "errors" in body:
        raise SystemExit(f"{query[:40]}...: {body['errors']}")
    return body["data"]


def wrk(url: str, lua: str, seconds: int, connections: int) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua)
    try:
        output = subprocess.run(
            ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds}s",
             "--latency", "-s", script.name, url],
            check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
    finally:
        os.unlink(script.name)

    def latency(percent: str) -> float:
        found = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        assert found, output
        value, unit = float(found.group(1)), found.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    requests = re.search(r"(\d+) requests in", output)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        "requests": float(requests.group(1)) if requests else 0.0,
        "non_2xx": float(errors.group(1)) if errors else 0.0,
        "p50": latency("50"),
        "p99": latency("99"),
    }


def stock_up(url: str, token: str) -> list[str]:
    """Every active SKU gets ample stock at every shipping location, so the run measures
    placement, not how soon the demo stock runs out."""
    skus = graphql(url, "{ skus(active: true, first: 250) { nodes { code } } }", {}, token)
    locations = graphql(url, "{ locations(ships: true) { nodes { id } } }", {}, token)
    receive = (
        "mutation($input: ReceiveInventoryInput!) { receiveInventory(input: $input) "
        "{ userErrors { code message } } }"
    )
    codes = [node["code"] for node in skus["skus"]["nodes"]]
    with httpx.Client(headers={"authorization": f"Bearer {token}"}) as client:
        for location in locations["locations"]["nodes"]:
            for code in codes:
                body = {"locationId": location["id"], "sku": code, "quantity": BENCH_STOCK}
                answer = client.post(url, json={"query": receive, "variables": {"input": body}})
                errors = answer.json()["data"]["receiveInventory"]["userErrors"]
                if errors:
                    raise SystemExit(f"stocking {code}: {errors}")
    return codes


def order_lua(token: str, skus: list[str]) -> str:
    template = {
        "query": PLACE,
        "variables": {
            "input": {
                "channel": "web",
                "customer": {"email": "@EMAIL@", "name": "Bench Buyer"},
                "lines": [{"sku": "@SKU_A@", "quantity": 1}, {"sku": "@SKU_B@", "quantity": 1}],
                "shippingAddress": ADDRESS,
                "payment": {"token": "tok_visa"},
                "idempotencyKey": "@KEY@",
            }
        },
    }
    return f"""
local skus = {{{", ".join(json.dumps(code) for code in skus)}}}
local template = {json.dumps(json.dumps(template))}
local counter = 0
local prefix = ""
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end
function init(args)
  -- each thread its own key space, each run its own keys
  prefix = os.time() .. "-" .. thread_id
  math.randomseed(os.time() * 100 + thread_id)
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {token}"
request = function()
  counter = counter + 1
  local a = math.random(1, #skus)
  local b = a % #skus + 1
  -- placeholders that no SKU code, key or address can contain
  local body = template:gsub("@SKU_A@", skus[a]):gsub("@SKU_B@", skus[b])
  body = body:gsub("@KEY@", prefix .. "-" .. counter):gsub("@EMAIL@", "buyer" .. (counter % 500) .. "@example.com")
  return wrk.format(nil, nil, nil, body)
end
"""


def page_lua(token: str, size: int) -> str:
    body = json.dumps({"query": ORDERS_PAGE, "variables": {"n": size}})
    return (
        f'wrk.method = "POST"\nwrk.body = {json.dumps(body)}\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["Authorization"] = "Bearer {token}"\n'
    )


async def statements_per_order(skus: list[str]) -> dict[str, int]:
    """SQL statements of one 2-line order, in process, after a warm-up order."""
    database = Database.from_settings(Settings())
    statements: list[str] = []
    event.listen(
        database.engine.sync_engine, "before_cursor_execute", lambda *a: statements.append(a[2])
    )
    address = ShippingAddress(
        ADDRESS["name"], ADDRESS["line1"], ADDRESS["city"], ADDRESS["postalCode"], "DE",
        latitude=ADDRESS["latitude"], longitude=ADDRESS["longitude"],
    )  # fmt: skip
    counts = {}
    for label, key in (
        ("warm-up", None),
        ("without key", None),
        ("with key", f"count-{random.random()}"),
    ):
        statements.clear()
        async with database.unit_of_work("staff:bench") as uow:
            await place_order(
                uow, TestPaymentProvider(),
                PlaceOrderRequest("web", "count@example.com", "Count", [LineRequest(skus[0], 1), LineRequest(skus[1], 1)],
                                  address, payment_token="tok_visa", idempotency_key=key),
                OrderPolicy(),
            )  # fmt: skip
        counts[label] = len(statements)
    await database.dispose()
    return counts


async def statements_per_page(url_token: tuple[str, str]) -> dict[int, int]:
    from api.app import create_app

    settings = Settings()
    database = Database.from_settings(settings)
    statements: list[str] = []
    app = create_app(settings, database)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request buries the figures
    counts = {}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://b"
    ) as client:
        event.listen(
            database.engine.sync_engine, "before_cursor_execute", lambda *a: statements.append(a[2])
        )
        for size in (10, 50):
            statements.clear()
            response = await client.post(
                "/graphql",
                json={"query": ORDERS_PAGE, "variables": {"n": size}},
                headers={"authorization": f"Bearer {url_token[1]}"},
            )
            assert len(response.json()["data"]["orders"]["edges"]) == size
            counts[size] = len(statements)
    await database.dispose()
    return counts


def pgbench_ceiling(seconds: int, connections: int) -> float | None:
    """Transactions/s of the same writes in plain SQL (pgbench), on a scratch database."""
    if not shutil.which("pgbench"):
        return None
    scratch = "oms_pgbench_ceiling"
    psql = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-v", "ON_ERROR_STOP=1"]
    subprocess.run([*psql, "-d", "postgres", "-c", "SET client_min_messages = warning",
                    "-c", f"DROP DATABASE IF EXISTS {scratch}", "-c", f"CREATE DATABASE {scratch}"],
                   check=True)  # fmt: skip
    url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{scratch}"
    environment = {**os.environ, "DATABASE_URL": url}
    oms = str(Path(sys.executable).parent / "oms")
    subprocess.run([oms, "migrate"], env=environment, check=True, capture_output=True)
    subprocess.run(
        [*psql, "-d", scratch, "-f", str(HERE / "place_order_ceiling_setup.sql")], check=True
    )
    output = subprocess.run(
        ["pgbench", "-h", "127.0.0.1", "-U", "postgres", "-n", "-c", str(connections), "-j", "2",
         "-T", str(seconds), "-f", str(HERE / "place_order_ceiling.sql"), scratch],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    subprocess.run([*psql, "-d", "postgres", "-c", f"DROP DATABASE {scratch}"], check=True)
    found = re.search(r"tps = ([\d.]+)", output)
    return float(found.group(1)) if found else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8001/graphql")
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--skip-ceiling", action="store_true")
    args = parser.parse_args()
    if not Settings().database_url.startswith("postgresql"):
        raise SystemExit("set DATABASE_URL to the PostgreSQL database the server runs on")
    if not shutil.which("wrk"):
        raise SystemExit("install wrk (apt-get install wrk)")
    token = graphql(args.url, LOGIN, {"e": "admin@example.com", "p": "admin-password"})["login"][
        "token"
    ]
    skus = stock_up(args.url, token)
    before = graphql(args.url, "{ orders { totalCount } }", {}, token)["orders"]["totalCount"]
    load = os.getloadavg()[0]
    orders = wrk(args.url, order_lua(token, skus), args.seconds, args.connections)
    placed = (
        graphql(args.url, "{ orders { totalCount } }", {}, token)["orders"]["totalCount"] - before
    )
    print(
        f"placeOrder, 2-line orders over {len(skus)} SKUs, {args.connections} connections, {args.seconds}s (load average {load:.2f})"
    )
    print(
        f"  orders/s     {placed / args.seconds:.0f}  ({placed} placed of {orders['requests']:.0f} requests, {orders['non_2xx']:.0f} non-2xx)"
    )
    print(f"  p50 / p99    {orders['p50']:.1f} ms / {orders['p99']:.1f} ms")
    counts = asyncio.run(statements_per_order(skus))
    print(
        f"  SQL statements per order: {counts['without key']} without an idempotency key, {counts['with key']} with one"
    )
    page = {size: wrk(args.url, page_lua(token, size), 15, args.connections) for size in (10, 50)}
    page_statements = asyncio.run(statements_per_page((args.url, token)))
    for size in (10, 50):
        print(
            f"orders page of {size}: {page[size]['rps']:.0f} requests/s, p50 {page[size]['p50']:.1f} ms, p99 {page[size]['p99']:.1f} ms, {page_statements[size]} SQL statements"
        )
    if not args.skip_ceiling:
        ceiling = pgbench_ceiling(args.seconds, args.connections)
        print(
            f"raw SQL ceiling of the same transaction (pgbench -c {args.connections} -j 2): {ceiling} transactions/s"
        )


if __name__ == "__main__":
    main()
