"""Planning rules, pure functions (no database): reorder points and replenishment, and
rebalancing between locations. The forecast they start from is ``api.planning.forecasting``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

from api.planning.statuses import LeadTimeSource, StockState


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
    incoming: int = 0
    """On its way: it counts toward a location's cover, but cannot be sent on."""

    @property
    def days_of_cover(self) -> float:
        if self.daily_demand <= 0:
            return math.inf
        return (self.available + self.incoming) / self.daily_demand


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
        needed = math.ceil(target_days * short.daily_demand) - short.available - short.incoming
        for source in sorted(stocks, key=lambda stock: -spare.get(stock.location_id, 0)):
            given = min(needed, spare.get(source.location_id, 0))
            if given <= 0:
                break
            spare[source.location_id] -= given
            needed -= given
            moves.append(Move(source.location_id, short.location_id, given,
                              source.days_of_cover, short.days_of_cover))  # fmt: skip
    return moves


OBSERVED_RECEIPTS_TRUSTED = 3
"""Received purchase orders needed before their lead times replace the supplier's quote."""


@dataclass(frozen=True)
class LeadTime:
    days: int
    source: LeadTimeSource


def lead_time(
    quoted_days: int | None, observed_days: Sequence[float], default_days: int
) -> LeadTime:
    """Days from ordering to arrival: the mean of the supplier's observed lead times (ordered
    to received, the most recent purchase orders) rounded up once there are enough of them,
    else the supplier's quote, else ``default_days`` where no supplier sells the SKU."""
    if quoted_days is None:
        return LeadTime(default_days, LeadTimeSource.DEFAULT)
    if len(observed_days) >= OBSERVED_RECEIPTS_TRUSTED:
        return LeadTime(math.ceil(sum(observed_days) / len(observed_days)), LeadTimeSource.OBSERVED)
    return LeadTime(quoted_days, LeadTimeSource.QUOTED)


def stock_state(
    *,
    available: int,
    incoming: int,
    reorder_point: float,
    daily_demand: float,
    overstock_days: float,
) -> StockState:
    """Where a level stands against its plan. Without demand a level is never stocked out nor
    overstocked by this measure (slow movers are a report of their own)."""
    if daily_demand > 0 and available <= 0:
        return StockState.STOCKED_OUT
    if reorder_point > 0 and available + incoming <= reorder_point:
        return StockState.AT_REORDER_POINT
    if daily_demand > 0 and available / daily_demand > overstock_days:
        return StockState.OVERSTOCKED
    return StockState.NORMAL
