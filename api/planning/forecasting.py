"""The demand forecast, a pure function of daily series (no database).

Retail demand per SKU and location is short, sparse and often weekly. Each method below is
fitted on the history but its last ``holdout`` days, scored by its mean absolute error (MAE) on
those days, and the best one is fitted again on the whole history to forecast. The score is
reported beside the MAE of the naive last-value forecast over the same days, so a caller can
see what the method is worth. Methods: the mean, simple exponential smoothing, Holt's damped
linear trend, the seasonal naive forecast (a week ago), and additive Holt-Winters with a weekly
season; the smoothing constants are chosen on a small grid by one-step-ahead error.

Every method runs on many series at once (one row each) and on every point of its grid at once
(NumPy arrays of series x grid points), so the suggestions for a thousand levels fit in the
time a handful of series would take one by one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import product

import numpy as np
from numpy.typing import NDArray

SEASON_DAYS = 7
SMOOTHING_GRID = (0.1, 0.2, 0.3, 0.5, 0.7)
TREND_GRID = (0.05, 0.1, 0.2)
DAMPING = 0.9
MIN_HOLDOUT_DAYS = 7
MAX_HOLDOUT_DAYS = 28

Series = NDArray[np.float64]
"""Series by row, oldest day first."""
Method = Callable[[Series, int], Series]


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
    return forecast_many([history], horizon)[0]


def forecast_many(histories: Sequence[Sequence[float]], horizon: int) -> list[Forecast]:
    """The forecast of each history (all of one length), each choosing its own method."""
    if horizon < 1:
        raise ValueError("horizon is at least one day")
    if not histories:
        return []
    if len({len(history) for history in histories}) > 1:
        raise ValueError("the histories are of one length")
    series = np.maximum(np.array(histories, dtype=np.float64), 0.0)
    count, length = series.shape
    if length == 0:
        return [Forecast("mean", [0.0] * horizon, None, None) for _ in range(count)]
    holdout = min(MAX_HOLDOUT_DAYS, length // 4)
    if holdout < MIN_HOLDOUT_DAYS:
        daily = _clip(_mean(series, horizon))
        return [Forecast("mean", row, None, None) for row in daily.tolist()]
    fitted, held = series[:, :-holdout], series[:, -holdout:]
    fitting = [(name, method) for name, method in _METHODS if _fits(name, fitted.shape[1])]
    best_score = np.full(count, np.inf)
    best = np.zeros(count, dtype=np.int64)
    # In order of simplicity, so that of two methods scoring alike the simpler one wins.
    for index, (_, method) in enumerate(fitting):
        score = _mae(method(fitted, holdout), held)
        better = score < best_score
        best_score[better], best[better] = score[better], index
    naive = _mae(np.repeat(fitted[:, -1:], holdout, axis=1), held)
    daily = np.zeros((count, horizon))
    for index, (_, method) in enumerate(fitting):
        chosen = best == index
        if chosen.any():
            daily[chosen] = method(series[chosen], horizon)
    daily = _clip(daily)
    names = [fitting[index][0] for index in best.tolist()]
    return [
        Forecast(name, values, score, naive_score)
        for name, values, score, naive_score in zip(
            names, daily.tolist(), best_score.tolist(), naive.tolist(), strict=True
        )
    ]


def _fits(name: str, length: int) -> bool:
    if name == "seasonal naive":
        return length >= SEASON_DAYS
    if name == "holt-winters":
        return length >= 2 * SEASON_DAYS
    return True


def _mae(predicted: Series, actual: Series) -> Series:
    return np.abs(predicted - actual).sum(axis=1) / actual.shape[1]


def _clip(values: Series) -> Series:
    return np.maximum(values, 0.0)


def _grid(*axes: tuple[float, ...]) -> list[Series]:
    """Each axis's values over the grid's points (their product, in order), as a row."""
    points = list(product(*axes))
    return [np.array([point[axis] for point in points])[None, :] for axis in range(len(axes))]


def _best(error: Series, *states: Series) -> list[Series]:
    """Each state at its series' grid point of least error (the first of equals)."""
    rows, chosen = np.arange(error.shape[0]), np.argmin(error, axis=1)
    return [state[rows, chosen] for state in states]


def _mean(series: Series, horizon: int) -> Series:
    return np.repeat(series.mean(axis=1, keepdims=True), horizon, axis=1)


def _seasonal_naive(series: Series, horizon: int) -> Series:
    week = series[:, -SEASON_DAYS:]
    return week[:, [day % SEASON_DAYS for day in range(horizon)]]


def _simple_smoothing(series: Series, horizon: int) -> Series:
    (alpha,) = _grid(SMOOTHING_GRID)
    level = np.repeat(series[:, :1], alpha.shape[1], axis=1)
    error = np.zeros_like(level)
    for day in range(1, series.shape[1]):
        value = series[:, day : day + 1]
        error += np.abs(value - level)
        level += alpha * (value - level)
    (final,) = _best(error, level)
    return np.repeat(final[:, None], horizon, axis=1)


def _damped_trend(series: Series, horizon: int) -> Series:
    if series.shape[1] < 2:
        return _mean(series, horizon)
    alpha, beta = _grid(SMOOTHING_GRID, TREND_GRID)
    level = np.repeat(series[:, :1], alpha.shape[1], axis=1)
    trend = np.repeat(series[:, 1:2] - series[:, :1], alpha.shape[1], axis=1)
    error = np.zeros_like(level)
    for day in range(1, series.shape[1]):
        value = series[:, day : day + 1]
        predicted = level + DAMPING * trend
        error += np.abs(value - predicted)
        previous = level
        level = alpha * value + (1 - alpha) * predicted
        trend = beta * (level - previous) + (1 - beta) * DAMPING * trend
    final_level, final_trend = _best(error, level, trend)
    damped, ahead = 0.0, []
    for step in range(1, horizon + 1):
        damped += DAMPING**step
        ahead.append(damped)
    return final_level[:, None] + np.array(ahead)[None, :] * final_trend[:, None]


def _holt_winters(series: Series, horizon: int) -> Series:
    """Additive level, trend and weekly season, started from the first two weeks."""
    alpha, beta, gamma = _grid(SMOOTHING_GRID, TREND_GRID, SMOOTHING_GRID)
    points = alpha.shape[1]
    first, second = series[:, :SEASON_DAYS], series[:, SEASON_DAYS : 2 * SEASON_DAYS]
    start_level = first.sum(axis=1, keepdims=True) / SEASON_DAYS
    level = np.repeat(start_level, points, axis=1)
    trend = np.repeat(
        (second.sum(axis=1, keepdims=True) - first.sum(axis=1, keepdims=True)) / SEASON_DAYS**2,
        points,
        axis=1,
    )
    season = np.repeat((first - start_level)[:, None, :], points, axis=1)
    error = np.zeros_like(level)
    for day in range(SEASON_DAYS, series.shape[1]):
        slot, value = day % SEASON_DAYS, series[:, day : day + 1]
        seasonal = season[:, :, slot]
        predicted = level + trend + seasonal
        error += np.abs(value - predicted)
        previous = level
        level = alpha * (value - seasonal) + (1 - alpha) * (level + trend)
        trend = beta * (level - previous) + (1 - beta) * trend
        season[:, :, slot] = gamma * (value - level) + (1 - gamma) * seasonal
    final_level, final_trend, final_season = _best(error, level, trend, season)
    steps = np.arange(1, horizon + 1)
    slots = (series.shape[1] + steps - 1) % SEASON_DAYS
    return final_level[:, None] + steps[None, :] * final_trend[:, None] + final_season[:, slots]


_METHODS: list[tuple[str, Method]] = [
    ("mean", _mean),
    ("seasonal naive", _seasonal_naive),
    ("exponential smoothing", _simple_smoothing),
    ("damped trend", _damped_trend),
    ("holt-winters", _holt_winters),
]
