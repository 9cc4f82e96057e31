"""Benchmark: streaming an orders export in bounded memory.

Builds a scratch PostgreSQL database with N orders of two lines each (written with plain SQL:
this measures reading them back, not placing them), then exports every order twice, and
reports time, throughput and peak memory:

- ``oms export orders`` as its own process (peak resident memory from the kernel's accounting
  of the finished child);
- ``GET /exports/orders.csv`` from ``oms serve``, read to the end by a streaming client (the
  server's peak resident memory, VmHWM, before and after).

    .venv/bin/python bench/export_orders.py --orders 100000
    .venv/bin/python bench/export_orders.py --orders 1000000
"""

from __future__ import annotations

import argparse
import os
import subprocess
import threading
import time
from pathlib import Path

import httpx
from serving import OMS, serving_as_admin

SCRATCH = "oms_bench_export"
URL = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{SCRATCH}"
PSQL = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-v", "ON_ERROR_STOP=1"]
FILL = """
INSERT INTO channel (code, name, created_at) VALUES ('web', 'Web', now());
INSERT INTO customer (email, name, created_at) VALUES ('bench@example.com', 'Bench', now());
INSERT INTO product (name, created_at) VALUES ('Bench', now());
INSERT INTO sku (product_id, code, name, price, currency, unit_cost, weight_grams, allow_backorder,
                 active, created_at, updated_at)
  SELECT 1, 'SKU-' || n, 'Bench ' || n, 1000, 'EUR', 0, 100, false, true, now(), now()
  FROM generate_series(1, 200) AS n;
INSERT INTO sales_order (channel_id, customer_id, email, status, payment_status, fulfilment_status,
    currency, subtotal, shipping_total, tax_total, total, shipping_speed, ship_name, ship_line1,
    ship_city, ship_postal_code, ship_country, placed_at, tracking_token_hash, routing_decision,
    version, updated_at)
  SELECT 1, 1, 'buyer' || n || '@example.com', 'CONFIRMED', 'AUTHORIZED', 'UNFULFILLED', 'EUR',
    2000, 390, 454, 2844, 'STANDARD', 'Bench Buyer', 'Hauptstraße 1', 'Potsdam', '14467', 'DE',
    timestamptz '2026-01-01' + n * interval '20 seconds', md5(n::text) || md5((-n)::text), '{}',
    0, now()
  FROM generate_series(1, :orders) AS n;
INSERT INTO order_line (order_id, sku_id, quantity, unit_price, quantity_allocated,
    quantity_backordered, quantity_fulfilled, quantity_cancelled, quantity_returned, created_at)
  SELECT o.id, s.sku, 1, 1000, 1, 0, 0, 0, 0, now()
  FROM sales_order o, LATERAL (VALUES (o.id % 200 + 1), ((o.id + 1) % 200 + 1)) AS s(sku);
ANALYZE;
"""


def build(orders: int) -> None:
    subprocess.run([*PSQL, "-d", "postgres", "-c", f"DROP DATABASE IF EXISTS {SCRATCH}",
                    "-c", f"CREATE DATABASE {SCRATCH}"], check=True)  # fmt: skip
    subprocess.run([OMS, "migrate"], env={**os.environ, "DATABASE_URL": URL}, check=True,
                   capture_output=True)  # fmt: skip
    started = time.perf_counter()
    subprocess.run([*PSQL, "-d", SCRATCH, "-v", f"orders={orders}"], input=FILL, text=True,
                   check=True)  # fmt: skip
    print(f"built {orders:,} orders in {time.perf_counter() - started:.1f} s")


def export_by_command(orders: int) -> None:
    started = time.perf_counter()
    process = subprocess.Popen(
        [OMS, "export", "orders", "--from", "2000-01-01", "--to", "2100-01-01",
         "--output", "/dev/null"],
        env={**os.environ, "DATABASE_URL": URL},
    )  # fmt: skip
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    assert status == 0, f"oms export exited with {status}"
    print(f"oms export orders (CSV): {seconds:.1f} s, {orders / seconds:,.0f} orders/s, "
          f"peak resident memory {usage.ru_maxrss / 1024:.0f} MiB")  # fmt: skip


def resident_mib(pid: int) -> int:
    status = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return int(status["VmRSS"].split()[0]) // 1024


class ResidentPeak(threading.Thread):
    """The highest resident memory of ``pid`` seen while it runs, sampled every 20 ms (the
    kernel's own peak, VmHWM, already holds the start-up's, which is higher)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.done = pid, 0, threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.02):
            self.peak = max(self.peak, resident_mib(self.pid))


def export_over_http(orders: int) -> None:
    environment = {**os.environ, "DATABASE_URL": URL, "OMS_LOG_LEVEL": "WARNING"}
    with serving_as_admin(environment) as served:
        before = resident_mib(served.pid)
        sampler = ResidentPeak(served.pid)
        sampler.start()
        started = time.perf_counter()
        received = 0
        with httpx.stream(
            "GET", f"{served.base}/exports/orders.csv",
            params={"from": "2000-01-01", "to": "2100-01-01"},
            headers={"authorization": f"Bearer {served.token}"}, timeout=600,
        ) as response:  # fmt: skip
            response.raise_for_status()
            for chunk in response.iter_bytes():
                received += len(chunk)
        seconds = time.perf_counter() - started
        sampler.done.set()
        sampler.join()
        print(f"GET /exports/orders.csv: {seconds:.1f} s, {orders / seconds:,.0f} orders/s, "
              f"{received / 2**20:.0f} MiB sent; server resident {before} MiB before, at most "
              f"{sampler.peak} MiB during the export")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    build(args.orders)
    try:
        export_by_command(args.orders)
        export_over_http(args.orders)
    finally:
        if not args.keep:
            subprocess.run([*PSQL, "-d", "postgres", "-c", f"DROP DATABASE {SCRATCH}"], check=True)


if __name__ == "__main__":
    main()
