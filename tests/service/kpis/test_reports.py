"""The reports on hand-built cases: low stock, slow movers, late shipments, open returns."""

from __future__ import annotations

from datetime import timedelta

import pytest

from api.db import Database
from api.errors import InvalidInput
from api.reports.aftercare import late_shipments, open_returns
from api.reports.stock import LowStockReason, low_stock, slow_movers
from tests.service.kpis.history import NOW, History, at, build_history, build_stock


@pytest.fixture
async def stock(database: Database) -> Database:
    return await build_stock(database)


async def test_low_stock_lists_the_shortest_cover_first(stock: Database) -> None:
    async with stock.reader() as reader:
        rows = await low_stock(reader, NOW, cover_days=14, sales_days=28)
    assert [(row.sku, row.reason) for row in rows] == [
        ("A", LowStockReason.LOW_COVER),
        ("B", LowStockReason.BELOW_SAFETY_STOCK),
    ]
    short = rows[0]
    assert (short.units_shipped, short.daily_sales, short.days_of_cover) == (56, 2.0, 4.0)
    assert rows[1].days_of_cover is None and rows[1].available == 0


async def test_a_longer_horizon_finds_more(stock: Database) -> None:
    async with stock.reader() as reader:
        rows = await low_stock(reader, NOW, cover_days=120, sales_days=28)
    assert [row.sku for row in rows] == ["A", "C", "B"]  # C: 28 sold in 28 days, 100 on hand


async def test_slow_movers_put_the_most_money_standing_still_first(stock: Database) -> None:
    async with stock.reader() as reader:
        rows = await slow_movers(reader, NOW, sales_days=90, cover_days=180)
    assert [(row.sku, row.stock_value) for row in rows] == [
        ("D", 15_000),  # nothing shipped in 90 days
        ("C", 5_000),  # 28 in 90 days: 321 days of cover
        ("B", 1_000),
    ]
    assert rows[0].last_shipped_at == NOW - timedelta(days=100)


@pytest.mark.parametrize(
    ("options", "field"),
    [({"cover_days": 0}, "coverDays"), ({"sales_days": 400}, "salesDays"), ({"limit": 0}, "first")],
)
async def test_bad_report_arguments_are_refused(
    database: Database, options: dict[str, int], field: str
) -> None:
    async with database.reader() as reader:
        with pytest.raises(InvalidInput) as refused:
            await low_stock(reader, NOW, **options)
    assert refused.value.field == [field]


@pytest.fixture
async def history(database: Database) -> History:
    return await build_history(database)


async def test_late_shipments_are_open_and_past_their_promise(history: History) -> None:
    async with history.database.reader() as reader:
        assert await late_shipments(reader, at(4)) == []  # promised for the 5th
        rows = await late_shipments(reader, at(6, 12))
        berlin = await late_shipments(reader, at(6, 12), location_id=history.berlin)
    assert [(row.location_code, row.status, row.days_late) for row in rows] == [
        ("HAM", "PENDING", 1.5),
        ("BER", "SHIPPED", 1.5),
    ]
    assert [row.status for row in berlin] == ["SHIPPED"]
    assert rows[0].order_number.endswith(str(rows[0].order_id))


async def test_open_returns_by_age(history: History) -> None:
    async with history.database.reader() as reader:
        report = await open_returns(reader, at(12))
    assert [(row.status, row.age_days, row.units) for row in report.oldest] == [
        ("REQUESTED", 7, 1),
        ("INSPECTED", 1, 1),
    ]
    counted = {(band.min_days, band.status): band.count for band in report.bands if band.count}
    assert counted == {(3, "REQUESTED"): 1, (0, "INSPECTED"): 1}
    assert len(report.bands) == 5 * 3
