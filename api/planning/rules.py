"""Demand forecasting: pure functions over a daily series of units (no database).

Retail demand per SKU and location is short, sparse and often weekly. Each method below is
fitted on the history but its last ``holdout`` days, scored by its mean absolute error (MAE)
on those days, and the best one is fitted again on the whole history to forecast. The score is
reported beside the MAE of the naive last-value forecast over the same days, so a caller can
see what the method is worth. Methods: the mean, simple exponential smoothing, Holt's damped
linear trend, the seasonal naive forecast (a week ago), and additive Holt-Winters with a
weekly season; the smoothing constants are chosen on a small grid by one-step-ahead error.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import product

SEASON_DAYS = 7
SMOOTHING_GRID = (0.1, 0.2, 0.3, 0.5, 0.7)
TREND_GRID = (0.05, 0.1, 0.2)
DAMPING = 0.9
MIN_HOLDOUT_DAYS = 7
MAX_HOLDOUT_DAYS = 28

Method = Callable[[Sequence[float], int], list[float]]


@dataclass(frozen=True)
class Forecast:
    method: str
    daily: list[float]
    """Units per day from the day after the history, ``horizon`` of them."""
    mae: float | None
    """The method's mean absolute error on the held-out days (None: too little history)."""
    naive_mae: float | None
    """The last-value forecast's error on the same days, to compare with."""


def forecast(history: Sequence[float], horizon: int) -> Forecast:
    """The daily forecast for ``horizon`` days after ``history`` (oldest day first)."""
    if horizon < 1:
        raise ValueError("horizon is at least one day")
    series = [max(float(value), 0.0) for value in history]
    if not series:
        return Forecast("mean", [0.0] * horizon, None, None)
    candidates = _methods()
    holdout = min(MAX_HOLDOUT_DAYS, len(series) // 4)
    if holdout < MIN_HOLDOUT_DAYS:
        return Forecast("mean", _clip(_mean(series, horizon)), None, None)
    fitted, held = series[:-holdout], series[-holdout:]
    scores = {
        name: _mae(method(fitted, holdout), held)
        for name, method in candidates.items()
        if _fits(name, len(fitted))
    }
    best = min(scores, key=lambda name: (scores[name], _SIMPLICITY.index(name)))
    naive = _mae([fitted[-1]] * holdout, held)
    return Forecast(best, _clip(candidates[best](series, horizon)), scores[best], naive)


def _methods() -> dict[str, Method]:
    return {
        "mean": _mean,
        "exponential smoothing": _simple_smoothing,
        "damped trend": _damped_trend,
        "seasonal naive": _seasonal_naive,
        "holt-winters": _holt_winters,
    }


# When two methods score alike, the simpler one wins.
_SIMPLICITY = ["mean", "seasonal naive", "exponential smoothing", "damped trend", "holt-winters"]


def _fits(name: str, length: int) -> bool:
    if name == "seasonal naive":
        return length >= SEASON_DAYS
    if name == "holt-winters":
        return length >= 2 * SEASON_DAYS
    return True


def _mae(predicted: Sequence[float], actual: Sequence[float]) -> float:
    return sum(abs(p - a) for p, a in zip(predicted, actual, strict=True)) / len(actual)


def _clip(values: list[float]) -> list[float]:
    return [max(value, 0.0) for value in values]


def _mean(series: Sequence[float], horizon: int) -> list[float]:
    return [sum(series) / len(series)] * horizon


def _seasonal_naive(series: Sequence[float], horizon: int) -> list[float]:
    week = list(series[-SEASON_DAYS:])
    return [week[day % SEASON_DAYS] for day in range(horizon)]


def _simple_smoothing(series: Sequence[float], horizon: int) -> list[float]:
    def run(alpha: float) -> tuple[float, float]:
        level, error = series[0], 0.0
        for value in series[1:]:
            error += abs(value - level)
            level += alpha * (value - level)
        return error, level

    _, level = min((run(alpha) for alpha in SMOOTHING_GRID), key=lambda fit: fit[0])
    return [level] * horizon


def _damped_trend(series: Sequence[float], horizon: int) -> list[float]:
    if len(series) < 2:
        return _mean(series, horizon)

    def run(alpha: float, beta: float) -> tuple[float, float, float]:
        level, trend, error = series[0], series[1] - series[0], 0.0
        for value in series[1:]:
            predicted = level + DAMPING * trend
            error += abs(value - predicted)
            previous = level
            level = alpha * value + (1 - alpha) * predicted
            trend = beta * (level - previous) + (1 - beta) * DAMPING * trend
        return error, level, trend

    _, level, trend = min(
        (run(alpha, beta) for alpha, beta in product(SMOOTHING_GRID, TREND_GRID)),
        key=lambda fit: fit[0],
    )
    ahead, damped = [], 0.0
    for step in range(1, horizon + 1):
        damped += DAMPING**step
        ahead.append(level + damped * trend)
    return ahead


def _holt_winters(series: Sequence[float], horizon: int) -> list[float]:
    """Additive level, trend and weekly season, started from the first two weeks."""
    first, second = series[:SEASON_DAYS], series[SEASON_DAYS : 2 * SEASON_DAYS]
    start_level = sum(first) / SEASON_DAYS
    start_trend = (sum(second) - sum(first)) / SEASON_DAYS**2
    start_season = [value - start_level for value in first]

    def run(alpha: float, beta: float, gamma: float) -> tuple[float, float, float, list[float]]:
        level, trend, season, error = start_level, start_trend, list(start_season), 0.0
        for day, value in enumerate(series[SEASON_DAYS:], start=SEASON_DAYS):
            slot = day % SEASON_DAYS
            predicted = level + trend + season[slot]
            error += abs(value - predicted)
            previous = level
            level = alpha * (value - season[slot]) + (1 - alpha) * (level + trend)
            trend = beta * (level - previous) + (1 - beta) * trend
            season[slot] = gamma * (value - level) + (1 - gamma) * season[slot]
        return error, level, trend, season

    _, level, trend, season = min(
        (
            run(alpha, beta, gamma)
            for alpha, beta, gamma in product(SMOOTHING_GRID, TREND_GRID, SMOOTHING_GRID)
        ),
        key=lambda fit: fit[0],
    )
    return [
        level + step * trend + season[(len(series) + step - 1) % SEASON_DAYS]
        for step in range(1, horizon + 1)
    ]
