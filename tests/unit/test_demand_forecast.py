"""The forecast on series with known answers: flat, trending, weekly, sparse, short."""

from __future__ import annotations

import random

import pytest

from api.planning.forecasting import forecast, forecast_many

WEEK = [2.0, 2.0, 2.0, 3.0, 8.0, 12.0, 4.0]


def test_a_flat_series_is_forecast_flat_with_no_error() -> None:
    result = forecast([5.0] * 56, 14)
    assert result.daily == pytest.approx([5.0] * 14)
    assert result.mae == pytest.approx(0.0)


def test_a_trend_goes_on_and_beats_the_last_value() -> None:
    history = [10 + 0.5 * day for day in range(60)]
    result = forecast(history, 3)
    assert result.method in ("damped trend", "holt-winters")
    assert result.daily == pytest.approx([40.0, 40.5, 41.0], abs=1.0)
    assert result.mae is not None and result.naive_mae is not None
    assert result.mae < result.naive_mae


def test_a_weekly_pattern_is_repeated_and_beats_the_last_value() -> None:
    history = WEEK * 8  # 56 days, the next one is a Monday-like day of 2 units
    result = forecast(history, 7)
    assert result.method in ("seasonal naive", "holt-winters")
    assert result.daily == pytest.approx(WEEK, abs=0.5)
    assert result.mae is not None and result.naive_mae is not None
    assert result.mae < result.naive_mae / 2


def test_noisy_weekly_sales_are_forecast_better_than_the_last_value() -> None:
    rng = random.Random(7)
    history = [max(0.0, units + rng.gauss(0, 1)) for units in WEEK * 12]
    result = forecast(history, 7)
    assert result.mae is not None and result.naive_mae is not None
    assert result.mae < result.naive_mae


def test_sparse_sales_never_forecast_negative_units() -> None:
    rng = random.Random(3)
    history = [1.0 if rng.random() < 0.1 else 0.0 for _ in range(90)]
    result = forecast(history, 30)
    assert all(units >= 0 for units in result.daily)
    assert sum(result.daily) == pytest.approx(sum(history) / 3, abs=3)


def test_a_short_history_falls_back_to_its_mean_without_an_error_measure() -> None:
    result = forecast([1.0, 3.0, 2.0, 2.0], 5)
    assert (result.method, result.mae, result.naive_mae) == ("mean", None, None)
    assert result.daily == pytest.approx([2.0] * 5)
    assert forecast([], 2).daily == [0.0, 0.0]


def test_the_horizon_is_at_least_a_day() -> None:
    with pytest.raises(ValueError, match="at least one day"):
        forecast([1.0] * 30, 0)


def test_many_series_forecast_together_as_each_would_alone() -> None:
    rng = random.Random(11)
    histories = [
        [5.0] * 56,
        [10 + 0.5 * day for day in range(56)],
        WEEK * 8,
        [1.0 if rng.random() < 0.1 else 0.0 for _ in range(56)],
    ]
    together = forecast_many(histories, 10)
    for history, result in zip(histories, together, strict=True):
        alone = forecast(history, 10)
        assert result.method == alone.method
        assert result.daily == pytest.approx(alone.daily)
        assert result.mae == pytest.approx(alone.mae)
    assert {result.method for result in together} >= {"mean", "seasonal naive"}


def test_series_forecast_together_are_of_one_length() -> None:
    with pytest.raises(ValueError, match="one length"):
        forecast_many([[1.0] * 30, [1.0] * 31], 5)
    assert forecast_many([], 5) == []
