"""Demand history and its forecast, per SKU and location (or the whole shop); what a day's
demand is: ``api.planning.demand``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from api import validation
from api.catalog.models import Sku
from api.catalog.queries import sku_by_code
from api.errors import NotFound
from api.locations.models import Location
from api.planning.demand import backordered_by_sku, demand_by_level
from api.planning.forecasting import Forecast, forecast

MAX_HISTORY_DAYS = 730
MAX_HORIZON_DAYS = 365


@dataclass(frozen=True)
class DemandForecast:
    sku: Sku
    location_id: int | None
    first_day: date
    """The first day of ``history``; the forecast starts the day after its last."""
    history: list[float]
    forecast: Forecast


async def demand_forecast(
    session: AsyncSession,
    *,
    sku_code: str,
    location_id: int | None,
    days: int,
    history_days: int,
    today: date,
) -> DemandForecast:
    """The forecast of ``days`` days from tomorrow, from the ``history_days`` up to today."""
    validation.in_range(days, "days", 1, MAX_HORIZON_DAYS)
    validation.in_range(history_days, "historyDays", 1, MAX_HISTORY_DAYS)
    sku = await sku_by_code(session, sku_code.strip())
    if sku is None or sku.id is None:
        raise NotFound("SKU", sku_code, field=["sku"])
    if location_id is not None and await session.get(Location, location_id) is None:
        raise NotFound("location", location_id, field=["locationId"])
    first_day = today - timedelta(days=history_days - 1)
    history = await daily_demand(session, sku.id, location_id, first_day, today)
    return DemandForecast(sku, location_id, first_day, history, forecast(history, days))


async def daily_demand(
    session: AsyncSession, sku_id: int, location_id: int | None, first_day: date, last_day: date
) -> list[float]:
    """Units of the SKU demanded at the location (or the whole shop) on each day from
    ``first_day`` to ``last_day`` (see ``api.planning.demand``)."""
    reader = await session.connection()
    levels = await demand_by_level(
        reader, first_day, last_day, location_id=location_id, sku_ids=[sku_id]
    )
    series = [list(days) for days in levels.values()]
    if location_id is None:
        series += (await backordered_by_sku(reader, first_day, last_day, [sku_id])).values()
    return [float(sum(day)) for day in zip(*series, strict=True)] or [0.0] * (
        (last_day - first_day).days + 1
    )
