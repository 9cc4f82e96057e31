"""Benchmark: building a pick list of 200 shipments at one location, and the walk it saves.

Builds a scratch PostgreSQL database (or uses --database-url), one location with a 10 x 20 bin
layout and 200 SKUs each in its own bin, places 600 orders of 1 to 4 lines through the real
services, then times three createPickList calls of 200 shipments each.

    .venv/bin/python bench/pick_list.py
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

from api.auth import SYSTEM_ACTOR
from api.catalog.service import SkuFields, create_product
from api.channels.service import create_channel
from api.db import Database
from api.fulfilment.picking import create_pick_list
from api.inventory.service import assign_bin, receive_inventory
from api.locations.service import AddressFields, create_bin, create_location
from api.orders.placement import place_order
from api.orders.requests import LineRequest, PlaceOrderRequest, ShippingAddress
from api.orders.routing import OrderPolicy
from api.payments.provider import TestPaymentProvider

AISLES, BAYS, SKUS, WAVE, WAVES = 10, 20, 200, 200, 3
ADDRESS = ShippingAddress("Bench Buyer", "Hauptstraße 1", "Potsdam", "14467", "DE", latitude=52.39, longitude=13.06)  # fmt: skip
SCRATCH = "oms_bench_picking"


async def build(database: Database) -> int:
    async def run(command, **arguments):  # type: ignore[no-untyped-def]
        async with database.unit_of_work(SYSTEM_ACTOR) as uow:
            return await command(uow, **arguments)

    await run(create_channel, code="web", name="Web")
    location = await run(
        create_location, code="BER", name="Berlin", latitude=52.52, longitude=13.405,
        address=AddressFields(line1="Lagerstraße 1", city="Berlin", postal_code="10115", country="DE"),
    )  # fmt: skip
    codes = [f"SKU-{n:03d}" for n in range(SKUS)]
    for start in range(0, SKUS, 50):  # a product holds at most 100 SKUs
        batch = [SkuFields(code, code, price=1000) for code in codes[start : start + 50]]
        await run(create_product, name=f"Bench {start}", skus=batch)
    for index, code in enumerate(codes):
        aisle, bay = index % AISLES + 1, index // AISLES + 1
        await run(create_bin, location_id=location.id, code=code, aisle=aisle, bay=bay)
        await run(assign_bin, location_id=location.id, sku_code=code, bin_code=code)
        await run(receive_inventory, location_id=location.id, sku_code=code, quantity=10_000)
    rng = random.Random(1)
    for number in range(WAVE * WAVES):
        lines = [
            LineRequest(code, rng.randint(1, 3)) for code in rng.sample(codes, rng.randint(1, 4))
        ]
        request = PlaceOrderRequest("web", f"b{number}@example.com", "Buyer", lines, ADDRESS, "card", "tok_visa")  # fmt: skip
        async with database.unit_of_work("bench") as uow:
            await place_order(uow, TestPaymentProvider(), request, OrderPolicy())
    return int(location.id)


async def measure(database: Database, location_id: int) -> None:
    timings, lists = [], []
    for _ in range(WAVES):
        started = time.perf_counter()
        async with database.unit_of_work("bench") as uow:
            lists.append(await create_pick_list(uow, location_id=location_id, max_orders=WAVE))
        timings.append((time.perf_counter() - started) * 1000)
    print(f"createPickList of {WAVE} shipments ({database.engine.dialect.name}):")
    print(
        f"  ms per wave  {', '.join(f'{t:.0f}' for t in timings)} (median {statistics.median(timings):.0f})"
    )
    for pick_list in lists:
        saved = pick_list.naive_walking_distance_m - pick_list.walking_distance_m
        print(
            f"  walk {pick_list.walking_distance_m:.0f} m against {pick_list.naive_walking_distance_m:.0f} m "
            f"order by order: {saved / pick_list.naive_walking_distance_m:.0%} saved"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None, help="an empty, migrated database")
    args = parser.parse_args()
    url = args.database_url
    psql = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-d", "postgres"]
    if url is None:
        subprocess.run([*psql, "-c", f"DROP DATABASE IF EXISTS {SCRATCH}", "-c", f"CREATE DATABASE {SCRATCH}"], check=True)  # fmt: skip
        url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{SCRATCH}"
        oms = str(Path(sys.executable).parent / "oms")
        subprocess.run(
            [oms, "migrate"],
            env={**os.environ, "DATABASE_URL": url},
            check=True,
            capture_output=True,
        )

    async def go() -> None:
        database = Database(url)
        try:
            location_id = await build(database)
            await measure(database, location_id)
        finally:
            await database.dispose()

    try:
        asyncio.run(go())
    finally:
        if args.database_url is None:
            subprocess.run([*psql, "-c", f"DROP DATABASE {SCRATCH}"], check=True)


if __name__ == "__main__":
    main()
