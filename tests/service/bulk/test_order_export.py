from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from api.bulk import order_export
from api.bulk.order_export import ExportFormat, export_orders
from api.db import Database
from api.errors import InvalidInput
from api.orders.models import Order
from tests.service.orders.conftest import Shop

DAY = datetime(2026, 11, 2, tzinfo=UTC)


async def exported(database: Database, export_format: ExportFormat, **bounds: datetime) -> bytes:
    start = bounds.get("start", DAY)
    end = bounds.get("end", DAY + timedelta(days=1))
    return b"".join([chunk async for chunk in export_orders(database, start, end, export_format)])


async def place_at(shop: Shop, when: datetime, *lines: tuple[str, int]) -> int:
    placed = await shop.place(*lines)
    async with shop.database.unit_of_work("test") as uow:
        await uow.session.execute(
            update(Order).where(Order.id == placed.order.id).values(placed_at=when)
        )
        await uow.commit()
    assert placed.order.id is not None
    return placed.order.id


@pytest.fixture
async def three_days(shop: Shop) -> list[int]:
    """Orders on the day before, on the day (three: at its first and last second and midday),
    and at the first second of the day after."""
    moments = [
        DAY - timedelta(seconds=1),
        DAY,
        DAY + timedelta(hours=12),
        DAY + timedelta(days=1, seconds=-1),
        DAY + timedelta(days=1),
    ]
    return [await place_at(shop, when, ("TEE-M", 1), ("TEE-L", 1)) for when in moments]


async def test_csv_has_a_row_per_line_for_the_orders_of_the_range_only(
    database: Database, three_days: list[int]
) -> None:
    rows = list(csv.DictReader(io.StringIO((await exported(database, ExportFormat.CSV)).decode())))
    assert [(row["order_number"], row["sku"]) for row in rows] == [
        (f"SO-{order_id:06d}", sku) for order_id in three_days[1:4] for sku in ("TEE-M", "TEE-L")
    ]
    first = rows[0]
    assert first["placed_at"].startswith("2026-11-02T00:00:00")
    assert (first["channel"], first["ship_city"], first["quantity"]) == ("web", "Potsdam", "1")
    assert int(first["total"]) == int(first["subtotal"]) + int(first["shipping_total"]) + int(
        first["tax_total"]
    )


async def test_json_lines_carry_one_order_with_its_lines_and_address(
    database: Database, three_days: list[int]
) -> None:
    documents = [
        json.loads(line) for line in (await exported(database, ExportFormat.JSONL)).splitlines()
    ]
    assert [document["orderNumber"] for document in documents] == [
        f"SO-{order_id:06d}" for order_id in three_days[1:4]
    ]
    assert documents[0]["shippingAddress"]["postalCode"] == "14467"
    assert [line["sku"] for line in documents[0]["lines"]] == ["TEE-M", "TEE-L"]
    assert documents[0]["lines"][0]["unitPrice"] == 2000


async def test_pages_follow_one_another_without_loss_or_repeat(
    database: Database, shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(order_export, "PAGE_SIZE", 2)
    # Five orders in the same second: the page boundary falls between equal timestamps.
    placed = [await place_at(shop, DAY, ("TEE-M", 1)) for _ in range(5)]
    chunks = [
        chunk
        async for chunk in export_orders(database, DAY, DAY + timedelta(days=1), ExportFormat.JSONL)
    ]
    assert len(chunks) == 3
    numbers = [json.loads(line)["orderNumber"] for chunk in chunks for line in chunk.splitlines()]
    assert numbers == [f"SO-{order_id:06d}" for order_id in placed]


async def test_an_empty_range_exports_only_the_header(database: Database) -> None:
    assert (await exported(database, ExportFormat.CSV)).decode().count("\n") == 1
    assert await exported(database, ExportFormat.JSONL) == b""


async def test_a_range_must_be_aware_and_forward(database: Database) -> None:
    with pytest.raises(InvalidInput, match="must come after"):
        await exported(database, ExportFormat.CSV, start=DAY, end=DAY)
    with pytest.raises(InvalidInput, match="UTC offset"):
        await exported(database, ExportFormat.CSV, start=DAY.replace(tzinfo=None))
