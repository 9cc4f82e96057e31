"""Benchmark: the kpis query and the reports on a simulated history, over HTTP.

Writes the history with ``oms simulate`` into a scratch PostgreSQL database (90 days ending
today; the orders per day chosen to make about ``--orders``), unless that database already
holds a history of that size, then serves it with ``oms serve`` and times, as an admin:

- ``kpis`` over the 90 days with every figure, by week and by day;
- ``lowStockReport``, ``slowMoversReport``, ``lateShipmentsReport`` and ``openReturnsReport``.

Each is asked 3 times to warm up, then ``--runs`` times; the median, p90 and slowest are
reported. The simulation's rate is reported when this run wrote it, and the KPI projection's
when it had events to catch up with.

    .venv/bin/python bench/kpis.py --orders 100000
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import httpx
from serving import OMS, serving_as_admin

SCRATCH = "oms_bench_kpis"
URL = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{SCRATCH}"
PSQL = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-v", "ON_ERROR_STOP=1"]
DAYS = 90
ENVIRONMENT = {**os.environ, "DATABASE_URL": URL, "OMS_LOG_LEVEL": "WARNING"}
RATIO = "{ count outOf rate }"
FIGURES = f"""{{ start orders revenue {{ amount }} cancellationRate {RATIO}
  backorderRate {RATIO} fillRate {RATIO} splitShipmentRate {RATIO} shippedOrders
  timeToShip {{ p50Hours p90Hours }} timeToDeliver {{ p50Hours p90Hours }}
  onTimeDeliveryRate {RATIO} returnRate {RATIO} orderAccuracy {RATIO}
  averageShippingCost {{ amount }} costOfGoodsShipped {{ amount }}
  averageInventoryValue {{ amount }} inventoryTurnover daysOnHand stockOutRate {RATIO}
  csat {RATIO} averageRating pickPathSaving }}"""
KPIS = f"""query($from: DateTime!, $to: DateTime!, $granularity: KpiGranularity!) {{
  kpis(from: $from, to: $to, granularity: $granularity) {{ totals {FIGURES} series {FIGURES} }} }}"""
STOCK_ROW = "{ locationCode sku onHand available dailySales daysOfCover stockValue { amount } }"
REPORTS = {
    "lowStockReport": f"{{ lowStockReport(first: 1000) {STOCK_ROW} }}",
    "slowMoversReport": f"{{ slowMoversReport(first: 1000) {STOCK_ROW} }}",
    "lateShipmentsReport": "{ lateShipmentsReport(first: 1000) { orderNumber daysLate } }",
    "openReturnsReport": "{ openReturnsReport { bands { count } oldest { orderNumber } } }",
}


def psql(database: str, *commands: str) -> str:
    arguments = [part for command in commands for part in ("-c", command)]
    done = subprocess.run([*PSQL, "-A", "-t", "-d", database, *arguments], check=True,
                          capture_output=True, text=True)  # fmt: skip
    return done.stdout.strip()


def history_orders() -> int:
    exists = psql("postgres", f"SELECT count(*) FROM pg_database WHERE datname = '{SCRATCH}'")
    if exists == "0":
        return 0
    return int(psql(SCRATCH, "SELECT count(*) FROM sales_order"))


def simulate(orders: int) -> None:
    per_day = math.ceil(orders / DAYS)
    psql("postgres", f"DROP DATABASE IF EXISTS {SCRATCH}", f"CREATE DATABASE {SCRATCH}")
    subprocess.run([OMS, "migrate"], env=ENVIRONMENT, check=True, capture_output=True)
    started = time.perf_counter()
    subprocess.run([OMS, "simulate", "--days", str(DAYS), "--orders-per-day", str(per_day),
                    "--seed", "1"], env=ENVIRONMENT, check=True)  # fmt: skip
    minutes = (time.perf_counter() - started) / 60
    print(f"simulated {DAYS} days x {per_day} orders in {minutes:.1f} min")


def timed(client: httpx.Client, query: str, variables: dict[str, str], runs: int) -> list[float]:
    def ask() -> float:
        started = time.perf_counter()
        body = client.post("/graphql", json={"query": query, "variables": variables}).json()
        assert "errors" not in body, body["errors"]
        return (time.perf_counter() - started) * 1000

    for _ in range(3):
        ask()
    return sorted(ask() for _ in range(runs))


def show(name: str, times: list[float]) -> None:
    p90 = times[math.ceil(0.9 * len(times)) - 1]
    print(f"{name:34s} median {statistics.median(times):6.0f} ms   p90 {p90:6.0f} ms   "
          f"slowest {times[-1]:6.0f} ms")  # fmt: skip


def catch_up() -> None:
    """Brings the KPI summary tables up to the log's end (the simulator does after every day;
    a history written before they existed is caught up here, once)."""
    script = (
        "import asyncio, sys\n"
        "from api.db import Database\n"
        "from api.kpis.projection import catch_up\n"
        "async def main():\n"
        "    database = Database(sys.argv[1])\n"
        "    print(await catch_up(database))\n"
        "    await database.dispose()\n"
        "asyncio.run(main())\n"
    )
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", script, URL], check=True, capture_output=True,
                          text=True)  # fmt: skip
    applied = int(done.stdout.strip() or 0)
    if applied:
        seconds = time.perf_counter() - started
        print(f"KPI projection caught up with {applied:,} events in {seconds:.1f} s")


def measure(runs: int) -> None:
    catch_up()
    psql(SCRATCH, "VACUUM ANALYZE")  # what autovacuum does between the simulator's days
    with serving_as_admin(ENVIRONMENT) as served:
        headers = {"authorization": f"Bearer {served.token}"}
        end = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        period = {"from": (end - timedelta(days=DAYS)).isoformat(), "to": end.isoformat()}
        with httpx.Client(base_url=served.base, headers=headers, timeout=60) as client:
            for granularity in ("WEEK", "DAY"):
                variables = period | {"granularity": granularity}
                show(
                    f"kpis, {DAYS} days by {granularity.lower()}",
                    timed(client, KPIS, variables, runs),
                )
            for name, query in REPORTS.items():
                show(name, timed(client, query, {}, runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    found = history_orders()
    if found < args.orders * 0.9:
        simulate(args.orders)
    print(f"history: {history_orders():,} orders over {DAYS} days in {SCRATCH}")
    for table in ("order_line", "shipment", "inventory_movement", "event"):
        print(f"  {table}: {int(psql(SCRATCH, f'SELECT count(*) FROM {table}')):,} rows")
    measure(args.runs)


if __name__ == "__main__":
    main()
