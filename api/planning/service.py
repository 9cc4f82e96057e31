"""Demand history and its forecast, per SKU and location (or the whole shop).

A day's demand is what left or is committed to leave: units shipped that day from the
location (the ledger's shipment rows), plus units of orders placed that day still held for
them there (reserved or picked, not yet shipped). For the whole shop, units backordered on
orders placed that day count too: ordered, though no location holds them yet. Cancelled units
are not demand.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from api import validation
from api.catalog.models import Sku
from api.catalog.queries import sku_by_code
from api.errors import NotFound
from api.inventory.models import InventoryBucket, InventoryMovement, MovementKind
from api.locations.models import Location
from api.orders.models import Allocation, AllocationStatus, Order, OrderLine
from api.planning.forecasting import Forecast, forecast

HELD = (AllocationStatus.RESERVED, AllocationStatus.PICKED)
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
    """Units demanded on each day from ``first_day`` to ``last_day`` (see the module)."""
    start = datetime.combine(first_day, time(), tzinfo=UTC)
    end = datetime.combine(last_day + timedelta(days=1), time(), tzinfo=UTC)
    days = [0.0] * ((last_day - first_day).days + 1)

    def add(rows: Iterable[tuple[datetime, int]]) -> None:
        for moment, units in rows:
            days[(moment.astimezone(UTC).date() - first_day).days] += units

    shipped = select(col(InventoryMovement.created_at), -col(InventoryMovement.quantity)).where(
        col(InventoryMovement.sku_id) == sku_id,
        col(InventoryMovement.kind) == MovementKind.SHIPMENT,
        col(InventoryMovement.bucket) == InventoryBucket.ON_HAND,
        col(InventoryMovement.created_at) >= start,
        col(InventoryMovement.created_at) < end,
    )
    held = (
        select(col(Order.placed_at), col(Allocation.quantity))
        .join(Order, col(Order.id) == col(Allocation.order_id))
        .where(
            col(Allocation.sku_id) == sku_id,
            col(Allocation.status).in_(HELD),
            col(Order.placed_at) >= start,
            col(Order.placed_at) < end,
        )
    )
    if location_id is not None:
        shipped = shipped.where(col(InventoryMovement.location_id) == location_id)
        held = held.where(col(Allocation.location_id) == location_id)
    add(await _rows(session, shipped))
    add(await _rows(session, held))
    if location_id is None:
        backordered = (
            select(col(Order.placed_at), col(OrderLine.quantity_backordered))
            .join(Order, col(Order.id) == col(OrderLine.order_id))
            .where(
                col(OrderLine.sku_id) == sku_id,
                col(OrderLine.quantity_backordered) > 0,
                col(Order.placed_at) >= start,
                col(Order.placed_at) < end,
            )
        )
        add(await _rows(session, backordered))
    return days


async def _rows(
    session: AsyncSession, statement: Select[datetime, int]
) -> list[tuple[datetime, int]]:
    return [(moment, int(units)) for moment, units in (await session.execute(statement)).all()]
