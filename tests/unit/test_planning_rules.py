"""Reorder points, order quantities and rebalancing on hand-built cases with known numbers."""

from __future__ import annotations

import pytest

from api.planning.rules import (
    LeadTime,
    Move,
    Stock,
    lead_time,
    rebalancing,
    replenishment,
    stock_state,
)
from api.planning.statuses import LeadTimeSource, StockState

Z_95 = 1.6448536269514722


def test_at_or_below_the_reorder_point_orders_up_to_it_plus_the_review_period_in_packs() -> None:
    # 10 a day, error 4 a day, 9 days lead time: 90 + 1.645 x 4 x 3 = 109.74; position 100.
    result = replenishment([10.0] * 30, 4.0, lead_time_days=9, service_level=0.95,
                           review_days=7, available=80, incoming=20, pack_size=12)  # fmt: skip
    assert result.demand_over_lead_time == 90
    assert result.safety_stock == pytest.approx(Z_95 * 4 * 3)
    assert result.reorder_point == pytest.approx(90 + Z_95 * 12)
    assert result.position == 100
    # up to 109.74 + 70 = 179.74: 79.74 more, 7 packs of 12
    assert result.quantity == 84


def test_above_the_reorder_point_nothing_is_ordered() -> None:
    result = replenishment([10.0] * 30, 4.0, lead_time_days=9, service_level=0.95,
                           review_days=7, available=150, incoming=0)  # fmt: skip
    assert (result.position, result.quantity) == (150, 0)


def test_an_even_service_level_keeps_no_safety_stock() -> None:
    result = replenishment([2.0] * 10, 5.0, lead_time_days=4, service_level=0.5,
                           review_days=0, available=0, incoming=0)  # fmt: skip
    assert result.safety_stock == pytest.approx(0)
    assert result.quantity == 8


@pytest.mark.parametrize(
    "bad",
    [
        {"service_level": 1.0},
        {"service_level": 0.3},
        {"pack_size": 0},
        {"lead_time_days": 40},
    ],
)
def test_impossible_settings_are_refused(bad: dict[str, float]) -> None:
    settings = {"lead_time_days": 9, "service_level": 0.95, "review_days": 7, "pack_size": 1} | bad
    with pytest.raises(ValueError):
        replenishment([10.0] * 30, 4.0, available=0, incoming=0, **settings)  # type: ignore[arg-type]


def test_the_shortest_location_is_brought_to_target_cover_from_the_one_with_most_to_spare() -> None:
    stocks = [Stock(1, 200, 5.0), Stock(2, 6, 4.0), Stock(3, 30, 3.0)]
    assert rebalancing(stocks, short_days=7, target_days=14) == [Move(1, 2, 50, 40.0, 1.5)]


def test_spare_stock_goes_to_the_emptiest_location_first_and_never_below_target() -> None:
    stocks = [Stock(1, 200, 5.0), Stock(2, 6, 4.0), Stock(4, 0, 10.0)]
    assert rebalancing(stocks, short_days=7, target_days=14) == [Move(1, 4, 130, 40.0, 0.0)]


def test_nothing_moves_when_no_location_runs_short_or_none_has_spare() -> None:
    assert rebalancing([Stock(1, 100, 1.0), Stock(2, 50, 1.0)], short_days=7, target_days=14) == []
    assert rebalancing([Stock(1, 10, 1.0), Stock(2, 2, 1.0)], short_days=7, target_days=14) == []


def test_stock_on_its_way_counts_toward_a_short_location_but_cannot_be_sent_on() -> None:
    # A covers 1 day: short. B covers 14 days counting what is on its way: not short, no spare.
    # C covers 33 days, but only 30 units are there, fewer than its own 14 days' 140.
    stocks = [Stock(1, 10, 10.0), Stock(2, 40, 10.0, incoming=100), Stock(3, 30, 10.0, 300)]
    assert rebalancing(stocks, short_days=7, target_days=14) == []
    stocks = [Stock(1, 10, 10.0), Stock(2, 400, 10.0, incoming=100)]
    (move,) = rebalancing(stocks, short_days=7, target_days=14)
    assert (move.from_location_id, move.to_location_id, move.quantity) == (2, 1, 130)


def test_lead_times_are_observed_once_three_receipts_say_so_else_quoted_else_the_default() -> None:
    assert lead_time(None, [3.0, 4.0, 5.0], 14) == LeadTime(14, LeadTimeSource.DEFAULT)
    assert lead_time(10, [3.0, 4.0], 14) == LeadTime(10, LeadTimeSource.QUOTED)
    assert lead_time(10, [3.0, 4.0, 4.5], 14) == LeadTime(4, LeadTimeSource.OBSERVED)


@pytest.mark.parametrize(
    ("available", "incoming", "expected"),
    [
        (0, 0, StockState.STOCKED_OUT),
        (0, 50, StockState.STOCKED_OUT),
        (10, 10, StockState.AT_REORDER_POINT),  # 20 <= 20
        (20, 1, StockState.NORMAL),
        (100, 0, StockState.NORMAL),  # 50 days of cover
        (101, 0, StockState.OVERSTOCKED),
    ],
)
def test_a_level_stands_against_its_plan(available: int, incoming: int, expected: str) -> None:
    state = stock_state(available=available, incoming=incoming, reorder_point=20,
                        daily_demand=2.0, overstock_days=50)  # fmt: skip
    assert state == expected


def test_without_demand_a_level_is_neither_stocked_out_nor_overstocked() -> None:
    for available in (0, 10_000):
        state = stock_state(available=available, incoming=0, reorder_point=0,
                            daily_demand=0.0, overstock_days=50)  # fmt: skip
        assert state == StockState.NORMAL
