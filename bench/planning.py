"""Benchmark: replenishment and rebalancing suggestions for every level, over HTTP.

Uses a simulated history on PostgreSQL: its own scratch database (``oms simulate`` of 90 days
at ``--orders-per-day``; the demo catalogue is 200 SKUs and its shipping locations hold them),
or an existing one (``--database``, e.g. the KPI benchmark's 100,000 orders). Where no supplier
sells the SKUs yet (histories written before the demo suppliers existed) it gives each SKU one
through ``setSupplierSku``. Then, served by ``oms serve``, as an admin:

- ``replenishmentSuggestions`` for all locations, and ``rebalancingSuggestions``, each asked 3
  times to warm up and then ``--runs`` times (median, p90, slowest);
- in the benchmark's own process, where one computation of every level's outlook spends its
  time (levels and terms, demand, forecasts), and the stock-alert refresh (figures written).

    .venv/bin/python bench/planning.py [--database oms_bench_kpis]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import statistics
import subprocess
import time
from datetime import UTC, datetime

import httpx
from serving import OMS, serving_as_admin

from api.db import Database
from api.planning import alerts, demand, forecasting, plans
from api.planning.plans import PlanningPolicy
from api.settings import Settings

SCRATCH = "oms_bench_planning"
DAYS = 90
PSQL = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"]
REPLENISHMENT = """{ replenishmentSuggestions { location { code } sku { code }
  supplier { code } quantity estimatedCost { amount } daysOfCover reorderPoint safetyStock
  leadTimeDays leadTimeSource forecastMethod forecastError } }"""
REBALANCING = """{ rebalancingSuggestions { sku { code } fromLocation { code }
  toLocation { code } quantity fromDaysOfCover toDaysOfCover toDaysOfCoverAfter } }"""
SUPPLIER = """mutation($code: String!) { createSupplier(input: {code: $code, name: $code,
  leadTimeDays: 9}) { userErrors { code } } }"""
TERMS = """mutation($sku: String!, $pack: Int!) { setSupplierSku(input: {supplier: "BENCH",
  sku: $sku, packSize: $pack, unitCost: 1000}) { userErrors { code message } } }"""


def url(database: str) -> str:
    return f"postgresql+asyncpg://postgres@127.0.0.1:5432/{database}"


def psql(database: str, *commands: str) -> str:
    arguments = [part for command in commands for part in ("-c", command)]
    return subprocess.run([*PSQL, "-d", database, *arguments], check=True, capture_output=True,
                          text=True).stdout.strip()  # fmt: skip


def simulate(database: str, orders_per_day: int, environment: dict[str, str]) -> None:
    psql("postgres", f"DROP DATABASE IF EXISTS {database}", f"CREATE DATABASE {database}")
    subprocess.run([OMS, "migrate"], env=environment, check=True, capture_output=True)
    started = time.perf_counter()
    subprocess.run([OMS, "simulate", "--days", str(DAYS), "--orders-per-day",
                    str(orders_per_day), "--seed", "1"], env=environment, check=True)  # fmt: skip
    print(f"simulated {DAYS} days x {orders_per_day} orders in "
          f"{(time.perf_counter() - started) / 60:.1f} min")  # fmt: skip


def ensure_suppliers(client: httpx.Client, database: str) -> None:
    if int(psql(database, "SELECT count(*) FROM supplier_sku")):
        return
    client.post("/graphql", json={"query": SUPPLIER, "variables": {"code": "BENCH"}})
    codes = psql(database, "SELECT code FROM sku WHERE active ORDER BY id").split()
    for index, code in enumerate(codes):
        body = client.post("/graphql", json={
            "query": TERMS, "variables": {"sku": code, "pack": (1, 6, 12)[index % 3]}}).json()  # fmt: skip
        assert not body["data"]["setSupplierSku"]["userErrors"], body
    print(f"gave {len(codes)} SKUs a supplier")


def timed(client: httpx.Client, query: str, runs: int) -> tuple[list[float], int]:
    def ask() -> tuple[float, int]:
        started = time.perf_counter()
        body = client.post("/graphql", json={"query": query}).json()
        assert "errors" not in body, body["errors"]
        (rows,) = body["data"].values()
        return (time.perf_counter() - started) * 1000, len(rows)

    for _ in range(3):
        ask()
    answers = [ask() for _ in range(runs)]
    return sorted(milliseconds for milliseconds, _ in answers), answers[-1][1]


def show(name: str, times: list[float], rows: int) -> None:
    p90 = times[math.ceil(0.9 * len(times)) - 1]
    print(f"{name:26s} median {statistics.median(times):6.0f} ms   p90 {p90:6.0f} ms   "
          f"slowest {times[-1]:6.0f} ms   ({rows} suggestions)")  # fmt: skip


async def in_process(database_url: str) -> None:
    """One computation of every outlook, split into its parts, and the alert refresh."""
    database = Database(database_url)
    policy, today = PlanningPolicy.of(Settings()), datetime.now(UTC).date()
    try:
        async with database.reader() as reader:
            started = time.perf_counter()
            outlooks = await plans.level_outlooks(reader, policy, today=today)
            total = time.perf_counter() - started
            first = today.fromordinal(today.toordinal() - policy.history_days + 1)
            started = time.perf_counter()
            series = await demand.demand_by_level(reader, first, today)
            reading = time.perf_counter() - started
        started = time.perf_counter()
        forecasting.forecast_many([[0.0] * policy.history_days] * len(outlooks), 28)
        histories = [series.get((o.location_id, o.sku_id), [0.0] * policy.history_days)
                     for o in outlooks]  # fmt: skip
        forecasting.forecast_many(histories, 28)
        fitting = time.perf_counter() - started
        locations = len({outlook.location_id for outlook in outlooks})
        selling = sum(1 for outlook in outlooks if outlook.daily_demand > 0)
        print(f"{len(outlooks)} levels at {locations} locations ({selling} with demand): all "
              f"outlooks {total * 1000:.0f} ms, of which the demand read {reading * 1000:.0f} ms;"
              f" forecasts alone (twice) {fitting * 1000:.0f} ms")  # fmt: skip
        started = time.perf_counter()
        refreshed = await alerts.refresh_plans(database, policy, today)
        print(f"stock-alert figures for {refreshed} levels written in "
              f"{(time.perf_counter() - started) * 1000:.0f} ms")  # fmt: skip
    finally:
        await database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=SCRATCH)
    parser.add_argument("--orders-per-day", type=int, default=100)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    environment = {**os.environ, "DATABASE_URL": url(args.database), "OMS_LOG_LEVEL": "WARNING"}
    exists = psql("postgres", f"SELECT count(*) FROM pg_database WHERE datname = '{args.database}'")
    if exists == "0" or not int(psql(args.database, "SELECT count(*) FROM sales_order")):
        simulate(args.database, args.orders_per_day, environment)
    subprocess.run([OMS, "migrate"], env=environment, check=True, capture_output=True)
    orders = int(psql(args.database, "SELECT count(*) FROM sales_order"))
    print(f"history: {orders:,} orders in {args.database}")
    with serving_as_admin(environment) as served:
        headers = {"authorization": f"Bearer {served.token}"}
        with httpx.Client(base_url=served.base, headers=headers, timeout=60) as client:
            ensure_suppliers(client, args.database)
            psql(args.database, "VACUUM ANALYZE")
            show("replenishmentSuggestions", *timed(client, REPLENISHMENT, args.runs))
            show("rebalancingSuggestions", *timed(client, REBALANCING, args.runs))
    asyncio.run(in_process(url(args.database)))


if __name__ == "__main__":
    main()
