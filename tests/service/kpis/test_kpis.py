"""Every KPI against figures worked out by hand on a small fixed history (history.py; docs/KPIS.md
has the formulas): every expected value below can be checked with pencil and paper."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from api.db import Database
from api.errors import InvalidInput
from api.kpis.figures import KpiReport
from api.kpis.orders import Scope
from api.kpis.periods import Granularity, Period
from api.kpis.service import kpis
from api.kpis.stock import turnover_by_level
from tests.service.kpis.history import END, HOUR, START, History, at, build_history


@pytest.fixture
async def history(database: Database) -> History:
    return await build_history(database)


async def report(history: History, **options: Any) -> KpiReport:
    arguments: dict[str, Any] = {"currency": "EUR"} | options
    start, end = arguments.pop("start", START), arguments.pop("end", END)
    granularity = arguments.pop("granularity", Granularity.DAY)
    return await kpis(history.database, start, end, granularity, **arguments)


async def test_order_figures_over_the_period(history: History) -> None:
    totals = (await report(history)).totals
    assert totals.orders == 5
    assert totals.revenue == 5_000 + 8_000 + 2_000 + 4_000  # the cancelled order is not revenue
    assert totals.cancellations.rate == pytest.approx(1 / 5)
    assert totals.backorders.rate == pytest.approx(1 / 5)
    assert (totals.fill.count, totals.fill.out_of) == (3, 5)  # O2's line was all cancelled
    assert (totals.split_shipments.count, totals.split_shipments.out_of) == (1, 4)
    assert totals.shipped_orders == 3


async def test_cycle_times_are_nearest_rank_percentiles(history: History) -> None:
    totals = (await report(history)).totals
    # Placed → last shipment shipped: 8 h, 10 h, 24 h; placed → delivered: 48 h, 96 h.
    assert (totals.time_to_ship.p50, totals.time_to_ship.p90) == pytest.approx(
        (10 * HOUR, 24 * HOUR)
    )
    assert (totals.time_to_deliver.p50, totals.time_to_deliver.p90) == pytest.approx(
        (48 * HOUR, 96 * HOUR)
    )


async def test_delivery_returns_cost_and_satisfaction(history: History) -> None:
    totals = (await report(history)).totals
    assert (totals.on_time.count, totals.on_time.out_of) == (2, 3)  # Hamburg's parcel was late
    assert (totals.returns.count, totals.returns.out_of) == (2, 3)  # the rejected one is not
    assert (totals.accuracy.count, totals.accuracy.out_of) == (2, 3)
    assert totals.average_shipping_cost == pytest.approx(1_800 / 3)
    assert (totals.satisfaction.count, totals.satisfaction.out_of) == (2, 3)
    assert totals.average_rating == pytest.approx(11 / 3)


async def test_inventory_figures_from_the_ledger(history: History) -> None:
    totals = (await report(history)).totals
    assert totals.cost_of_goods_shipped == 2 * 400 + 400 + 1_000
    # 4,000 at the start; +1,000 for 2 days, -800 for 1.5, +2,000 for 1, -400 for 0.75 and
    # -1,000 for 0.25 of the 2 days.
    assert totals.average_inventory_value == pytest.approx(4_000 + 1_000 - 600 + 1_000 - 150 - 125)
    assert totals.inventory_turnover == pytest.approx(2_200 / 5_125)
    assert totals.days_on_hand == pytest.approx(5_125 / (2_200 / 2))
    # Hamburg's B is gone at the end of Tuesday: 1 of 4 SKU-days.
    assert (totals.stock_outs.count, totals.stock_outs.out_of) == (1, 4)
    assert totals.pick_path_saving == pytest.approx(1 - 50 / 150)


async def test_the_daily_series(history: History) -> None:
    monday, tuesday = (await report(history)).series
    assert (monday.start.isoformat(), tuesday.start.isoformat()) == ("2026-03-02", "2026-03-03")
    assert (monday.orders, tuesday.orders) == (3, 2)
    assert (monday.revenue, tuesday.revenue) == (13_000, 6_000)
    assert (monday.time_to_ship.p50, monday.time_to_ship.p90) == pytest.approx(
        (10 * HOUR, 24 * HOUR)
    )
    assert tuesday.time_to_ship.p50 == tuesday.time_to_ship.p90 == pytest.approx(8 * HOUR)
    assert tuesday.time_to_deliver.p50 is None
    assert monday.average_inventory_value == pytest.approx(4_000 + 1_000 - 400)
    assert tuesday.average_inventory_value == pytest.approx(4_200 + 2_000 - 300 - 250)
    assert (monday.cost_of_goods_shipped, tuesday.cost_of_goods_shipped) == (800, 1_400)
    assert (monday.stock_outs.count, tuesday.stock_outs.count) == (0, 1)
    assert monday.pick_path_saving == pytest.approx(0.75)
    assert tuesday.pick_path_saving == pytest.approx(1 / 3)


async def test_a_week_holds_the_whole_period(history: History) -> None:
    result = await report(history, granularity=Granularity.WEEK)
    (week,) = result.series
    assert week.start.isoformat() == "2026-03-02"
    assert week.orders == result.totals.orders == 5
    assert week.average_inventory_value == pytest.approx(5_125)


async def test_by_channel(history: History) -> None:
    totals = (await report(history, channel_id=history.app)).totals
    assert (totals.orders, totals.revenue, totals.backorders.count) == (1, 2_000, 1)
    assert totals.shipped_orders == 0 and totals.time_to_ship.p50 is None


async def test_by_location(history: History) -> None:
    totals = (await report(history, location_id=history.berlin)).totals
    assert totals.orders == 4  # O1, O2 (its cancelled shipment was Berlin's), O3, O5
    assert (totals.split_shipments.count, totals.split_shipments.out_of) == (0, 3)
    assert totals.time_to_ship.p90 == pytest.approx(12 * HOUR)  # O3's Berlin parcel: 12 h
    assert totals.cost_of_goods_shipped == 1_200
    assert totals.average_inventory_value == pytest.approx(4_000 - 600 + 1_000 - 150)
    assert (totals.stock_outs.count, totals.stock_outs.out_of) == (0, 2)
    assert totals.pick_path_saving == pytest.approx(0.75)


async def test_an_empty_period_has_no_rates(history: History) -> None:
    totals = (await report(history, start=at(20), end=at(21))).totals
    assert totals.orders == 0 and totals.fill.rate is None and totals.time_to_ship.p50 is None
    assert totals.inventory_turnover is None or totals.inventory_turnover == 0


@pytest.mark.parametrize(
    ("start", "end", "granularity", "field"),
    [
        (at(4), at(2), Granularity.DAY, "to"),
        (at(2).replace(tzinfo=None), at(4), Granularity.DAY, "from"),
        (at(1), at(1) + timedelta(days=500), Granularity.DAY, "granularity"),
    ],
)
async def test_bad_periods_are_refused(
    history: History, start: datetime, end: datetime, granularity: Granularity, field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        await kpis(history.database, start, end, granularity, currency="EUR")
    assert refused.value.field == [field]


async def test_turnover_by_level(history: History) -> None:
    scope = Scope(Period.of(START, END, Granularity.DAY), "EUR")
    async with history.database.reader() as reader:
        slowest = await turnover_by_level(reader, scope)
        fastest = await turnover_by_level(reader, scope, fastest=True, limit=1)
    berlin, hamburg = slowest
    # Berlin's A: 10 on hand, -2 for 1.5 of the 2 days, +5 for 1, -1 for 0.75; 3 shipped.
    assert (berlin.location_code, berlin.sku, berlin.units_shipped) == ("BER", "A", 3)
    assert berlin.average_on_hand == pytest.approx(10 - 1.5 + 2.5 - 0.375)
    assert berlin.turnover == pytest.approx(3 / 10.625)
    assert berlin.days_on_hand == pytest.approx(10.625 / 1.5)
    # Hamburg's B: 1 received at the start, shipped for the last quarter day of the two.
    assert hamburg.average_on_hand == pytest.approx(0.875)
    assert hamburg.turnover == pytest.approx(1 / 0.875)
    assert [level.sku for level in fastest] == ["B"]
