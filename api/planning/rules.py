"""Planning rules, pure functions (no database): the demand forecast, reorder points and
replenishment, rebalancing between locations.

The forecast works on a daily series of units. Retail demand per SKU and location is short,
sparse and often weekly. Each method below is fitted on the history but its last ``holdout``
days, scored by its mean absolute error (MAE) on those days, and the best one is fitted again
on the whole history to forecast. The score is reported beside the MAE of the naive
last-value forecast over the same days, so a caller can see what the method is worth.
Methods: the mean, simple exponential smoothing, Holt's damped linear trend, the seasonal
naive forecast (a week ago), and additive Holt-Winters with a weekly season; the smoothing
constants are chosen on a small grid by one-step-ahead error.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import product
from statistics import NormalDist

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


@dataclass(frozen=True)
class Replenishment:
    """Why and how much to order for one level."""

    lead_time_days: int
    demand_over_lead_time: float
    safety_stock: float
    reorder_point: float
    position: int
    """Units available (on hand less reserved) plus units on their way."""
    quantity: int
    """Units to order now, a whole number of packs; 0 while the position is above the reorder
    point."""


def replenishment(
    daily_forecast: Sequence[float],
    daily_error: float,
    *,
    lead_time_days: int,
    service_level: float,
    review_days: int,
    available: int,
    incoming: int,
    pack_size: int = 1,
) -> Replenishment:
    """Reorder point = forecast demand over the lead time + safety stock. The safety stock
    covers the forecast's error over the lead time at ``service_level``: z * ``daily_error`` *
    sqrt(lead time), z the normal quantile of the service level and ``daily_error`` the standard
    deviation of the daily forecast error (about 1.25 times its mean absolute error). At or below
    the reorder point, order up to it plus ``review_days`` of demand, in whole packs."""
    if not 0.5 <= service_level < 1:
        raise ValueError("the service level is from 0.5 up to (not including) 1")
    if pack_size < 1 or lead_time_days < 0 or review_days < 0:
        raise ValueError("pack size is at least 1; lead and review times are not negative")
    if len(daily_forecast) < lead_time_days + review_days:
        raise ValueError("the forecast must cover the lead time and the review period")
    z = NormalDist().inv_cdf(service_level)
    safety = z * daily_error * math.sqrt(lead_time_days)
    over_lead_time = sum(daily_forecast[:lead_time_days])
    point = over_lead_time + safety
    position = available + incoming
    quantity = 0
    if position <= point:
        wanted = point + sum(daily_forecast[lead_time_days : lead_time_days + review_days])
        quantity = math.ceil(max(wanted - position, 0) / pack_size) * pack_size
    return Replenishment(lead_time_days, over_lead_time, safety, point, position, quantity)


@dataclass(frozen=True)
class Stock:
    """One location's stock of a SKU, as rebalancing sees it."""

    location_id: int
    available: int
    daily_demand: float

    @property
    def days_of_cover(self) -> float:
        return math.inf if self.daily_demand <= 0 else self.available / self.daily_demand


@dataclass(frozen=True)
class Move:
    from_location_id: int
    to_location_id: int
    quantity: int
    from_days_of_cover: float
    to_days_of_cover: float


def rebalancing(stocks: Sequence[Stock], *, short_days: float, target_days: float) -> list[Move]:
    """Transfers from locations covering more than ``target_days`` of their own demand to those
    covering fewer than ``short_days``: each short location, the shortest first, is brought up
    to ``target_days`` from the locations with the most to spare, none of them going below
    ``target_days`` itself."""
    if not 0 <= short_days <= target_days:
        raise ValueError("short_days is from 0 up to target_days")
    spare = {
        stock.location_id: int(stock.available - math.ceil(target_days * stock.daily_demand))
        for stock in stocks
        if stock.days_of_cover > target_days
    }
    moves: list[Move] = []
    for short in sorted(stocks, key=lambda stock: stock.days_of_cover):
        if short.days_of_cover >= short_days:
            break
        needed = math.ceil(target_days * short.daily_demand) - short.available
        for source in sorted(stocks, key=lambda stock: -spare.get(stock.location_id, 0)):
            given = min(needed, spare.get(source.location_id, 0))
            if given <= 0:
                break
            spare[source.location_id] -= given
            needed -= given
            moves.append(Move(source.location_id, short.location_id, given,
                              source.days_of_cover, short.days_of_cover))  # fmt: skip
    return moves
