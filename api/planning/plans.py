"""Each level's outlook (its stock, the forecast of its demand, its lead time and reorder point)
and the suggestions drawn from them: what to order, and what to move between locations.

Every figure is computed for all the levels asked at once: their demand in one pass over the
ledger and the orders (``api.planning.demand``), their forecasts together
(``api.planning.forecasting``), the suppliers' terms and observed lead times in one query each.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlalchemy import Row, func, select
from sqlmodel import col

from api.catalog.models import Sku
from api.inventory.models import InventoryLevel
from api.inventory.rules import available
from api.kpis.periods import midnight
from api.planning.demand import demand_by_level
from api.planning.forecasting import Forecast, forecast_many
from api.planning.rules import (
    LeadTime,
    Replenishment,
    Stock,
    lead_time,
    rebalancing,
    replenishment,
    stock_state,
)
from api.planning.statuses import StockState
from api.purchasing.models import PurchaseOrder, PurchaseOrderLine, Supplier, SupplierSku
from api.purchasing.statuses import PurchaseOrderStatus
from api.reads import Reader
from api.settings import Settings

RECENT_RECEIPTS = 10
"""Purchase orders per supplier whose lead times are averaged."""
ERROR_SPREAD = 1.25
"""Standard deviation over mean absolute error, for errors spread normally."""


LevelStock = Row[int, int, str, int, int, int, int]
"""A level's location_id, sku_id, (SKU) code, on_hand, reserved, safety_stock and incoming."""


@dataclass(frozen=True)
class PlanningPolicy:
    """The planning settings (``api.settings``, where their defaults are)."""

    service_level: float
    review_days: int
    history_days: int
    default_lead_time_days: int
    overstock_days: float
    short_days: float
    target_days: float

    @classmethod
    def of(cls, settings: Settings) -> PlanningPolicy:
        return cls(
            service_level=settings.planning_service_level,
            review_days=settings.planning_review_days,
            history_days=settings.planning_history_days,
            default_lead_time_days=settings.default_lead_time_days,
            overstock_days=settings.overstock_days,
            short_days=settings.rebalance_short_days,
            target_days=settings.rebalance_target_days,
        )


@dataclass(frozen=True)
class SupplierTerms:
    supplier_id: int
    supplier_code: str
    pack_size: int
    unit_cost: int
    currency: str
    quoted_lead_time_days: int


@dataclass(frozen=True)
class LevelOutlook:
    location_id: int
    sku_id: int
    sku_code: str
    on_hand: int
    available: int
    incoming: int
    drafted: int
    """Units on draft purchase orders: not yet on their way, but already decided."""
    supplier: SupplierTerms | None
    """The SKU's cheapest supplier; None when no supplier sells it."""
    lead_time: LeadTime
    forecast: Forecast
    daily_demand: float
    """Forecast units a day over the lead time and review period."""
    replenishment: Replenishment

    @property
    def days_of_cover(self) -> float | None:
        """Days the available units last at the forecast demand; None without demand."""
        return self.available / self.daily_demand if self.daily_demand > 0 else None

    def stock_state(self, policy: PlanningPolicy) -> StockState:
        return stock_state(
            available=self.available,
            incoming=self.incoming,
            reorder_point=self.replenishment.reorder_point,
            daily_demand=self.daily_demand,
            overstock_days=policy.overstock_days,
        )


async def level_outlooks(
    reader: Reader,
    policy: PlanningPolicy,
    *,
    today: date,
    location_id: int | None = None,
    sku_ids: Sequence[int] | None = None,
) -> list[LevelOutlook]:
    """The outlook of every level of an active SKU (at the location, of the SKUs, if given),
    from the ``policy.history_days`` up to ``today``."""
    levels = await _active_levels(reader, location_id, sku_ids)
    if not levels:
        return []
    terms = await _cheapest_terms(reader, sku_ids)
    drafted = await _drafted_units(reader, location_id, sku_ids)
    observed = await _observed_lead_times(reader, today)
    lead_times = [
        _lead_time(terms.get(row.sku_id), observed, policy.default_lead_time_days) for row in levels
    ]
    first_day = today - timedelta(days=policy.history_days - 1)
    demand = await demand_by_level(
        reader, first_day, today, location_id=location_id, sku_ids=sku_ids
    )
    horizon = max(
        math.ceil(policy.target_days),
        max(lead.days for lead in lead_times) + policy.review_days,
        1,
    )
    no_demand = [0.0] * policy.history_days
    histories = [demand.get((row.location_id, row.sku_id), no_demand) for row in levels]
    forecasts = forecast_many(histories, horizon)
    return [
        _outlook(
            row,
            policy,
            lead,
            history,
            forecast,
            terms.get(row.sku_id),
            drafted.get((row.location_id, row.sku_id), 0),
        )
        for row, lead, history, forecast in zip(
            levels, lead_times, histories, forecasts, strict=True
        )
    ]


async def _active_levels(
    reader: Reader, location_id: int | None, sku_ids: Sequence[int] | None
) -> Sequence[LevelStock]:
    """The stock of every level of an active SKU (at the location, of the SKUs, if given)."""
    level = InventoryLevel
    statement = (
        select(
            col(level.location_id),
            col(level.sku_id),
            col(Sku.code),
            col(level.on_hand),
            col(level.reserved),
            col(level.safety_stock),
            col(level.incoming),
        )
        .join(Sku, col(Sku.id) == col(level.sku_id))
        .where(col(Sku.active))
        .order_by(col(level.location_id), col(level.sku_id))
    )
    if location_id is not None:
        statement = statement.where(col(level.location_id) == location_id)
    if sku_ids is not None:
        statement = statement.where(col(level.sku_id).in_(sku_ids))
    return (await reader.execute(statement)).all()


def _outlook(
    row: LevelStock,
    policy: PlanningPolicy,
    lead: LeadTime,
    history: Sequence[float],
    forecast: Forecast,
    supplier: SupplierTerms | None,
    on_draft: int,
) -> LevelOutlook:
    """One level's outlook: its demand over the lead time and review period, and what to
    order to cover it."""
    covered = max(lead.days + policy.review_days, 1)
    free = available(row.on_hand, row.reserved, row.safety_stock)
    return LevelOutlook(
        location_id=row.location_id,
        sku_id=row.sku_id,
        sku_code=row.code,
        on_hand=row.on_hand,
        available=free,
        incoming=row.incoming,
        drafted=on_draft,
        supplier=supplier,
        lead_time=lead,
        forecast=forecast,
        daily_demand=sum(forecast.daily[:covered]) / covered,
        replenishment=replenishment(
            forecast.daily,
            ERROR_SPREAD * _typical_error(forecast, history),
            lead_time_days=lead.days,
            service_level=policy.service_level,
            review_days=policy.review_days,
            available=free,
            incoming=row.incoming + on_draft,
            pack_size=supplier.pack_size if supplier else 1,
        ),
    )


def _typical_error(result: Forecast, history: Sequence[float]) -> float:
    """The forecast's mean absolute error a day; for a history too short to measure it, the
    history's mean absolute deviation."""
    if result.mae is not None:
        return result.mae
    mean = sum(history) / len(history)
    return sum(abs(value - mean) for value in history) / len(history)


def _lead_time(
    terms: SupplierTerms | None, observed: dict[int, list[float]], default_days: int
) -> LeadTime:
    if terms is None:
        return lead_time(None, [], default_days)
    return lead_time(terms.quoted_lead_time_days, observed.get(terms.supplier_id, []), default_days)


async def _cheapest_terms(
    reader: Reader, sku_ids: Sequence[int] | None
) -> dict[int, SupplierTerms]:
    """Each SKU's cheapest supplier (then the quickest, then the first recorded)."""
    statement = (
        select(
            col(SupplierSku.sku_id),
            col(SupplierSku.supplier_id),
            col(Supplier.code),
            col(SupplierSku.pack_size),
            col(SupplierSku.unit_cost),
            col(Sku.currency),
            col(Supplier.lead_time_days),
        )
        .join(Supplier, col(Supplier.id) == col(SupplierSku.supplier_id))
        .join(Sku, col(Sku.id) == col(SupplierSku.sku_id))
        .order_by(
            col(SupplierSku.sku_id),
            col(SupplierSku.unit_cost),
            col(Supplier.lead_time_days),
            col(Supplier.id),
        )
    )
    if sku_ids is not None:
        statement = statement.where(col(SupplierSku.sku_id).in_(sku_ids))
    cheapest: dict[int, SupplierTerms] = {}
    for row in (await reader.execute(statement)).all():
        cheapest.setdefault(row[0], SupplierTerms(row[1], row[2], row[3], row[4], row[5], row[6]))
    return cheapest


async def _drafted_units(
    reader: Reader, location_id: int | None, sku_ids: Sequence[int] | None
) -> dict[tuple[int, int], int]:
    order, line = PurchaseOrder, PurchaseOrderLine
    by = (col(order.location_id), col(line.sku_id))
    statement = (
        select(*by, func.sum(col(line.quantity)))
        .join(order, col(order.id) == col(line.purchase_order_id))
        .where(col(order.status) == PurchaseOrderStatus.DRAFT)
        .group_by(*by)
    )
    if location_id is not None:
        statement = statement.where(col(order.location_id) == location_id)
    if sku_ids is not None:
        statement = statement.where(col(line.sku_id).in_(sku_ids))
    return {(row[0], row[1]): int(row[2]) for row in (await reader.execute(statement)).all()}


async def _observed_lead_times(reader: Reader, today: date) -> dict[int, list[float]]:
    """Days from ordering to the last receipt of each supplier's most recent purchase orders
    received within the last year."""
    order = PurchaseOrder
    statement = (
        select(col(order.supplier_id), col(order.ordered_at), col(order.received_at))
        .where(
            col(order.status) == PurchaseOrderStatus.RECEIVED,
            col(order.received_at) >= midnight(today - timedelta(days=365)),
        )
        .order_by(col(order.received_at).desc())
    )
    observed: dict[int, list[float]] = defaultdict(list)
    for supplier_id, ordered_at, received_at in (await reader.execute(statement)).all():
        if ordered_at and received_at and len(observed[supplier_id]) < RECENT_RECEIPTS:
            observed[supplier_id].append((received_at - ordered_at) / timedelta(days=1))
    return observed


def replenishment_suggestions(outlooks: Sequence[LevelOutlook]) -> list[LevelOutlook]:
    """The levels whose position is at or below the reorder point, the fewest days of cover
    first."""
    due = [outlook for outlook in outlooks if outlook.replenishment.quantity > 0]
    return sorted(due, key=lambda outlook: (outlook.days_of_cover or 0.0, outlook.sku_code))


@dataclass(frozen=True)
class RebalancingSuggestion:
    sku_id: int
    sku_code: str
    quantity: int
    source: Stock
    target: Stock

    def days_of_cover_after(self) -> tuple[float, float]:
        """The source's and the target's days of cover once the transfer has arrived."""
        return (
            _cover(self.source, -self.quantity),
            _cover(self.target, self.quantity),
        )


def _cover(stock: Stock, moved: int) -> float:
    return replace(stock, available=stock.available + moved).days_of_cover


def rebalancing_suggestions(
    outlooks: Sequence[LevelOutlook], policy: PlanningPolicy
) -> list[RebalancingSuggestion]:
    """For each SKU, transfers from the locations with more than ``policy.target_days`` of cover
    to those with fewer than ``policy.short_days`` (``api.planning.rules.rebalancing``), the
    demand being each level's forecast over the target days; the shortest first."""
    by_sku: dict[tuple[int, str], list[Stock]] = defaultdict(list)
    window = math.ceil(policy.target_days)
    for outlook in outlooks:
        by_sku[(outlook.sku_id, outlook.sku_code)].append(
            Stock(
                outlook.location_id,
                outlook.available,
                sum(outlook.forecast.daily[:window]) / window,
                outlook.incoming,
            )
        )
    suggestions = []
    for (sku_id, sku_code), stocks in by_sku.items():
        at = {stock.location_id: stock for stock in stocks}
        for move in rebalancing(
            stocks, short_days=policy.short_days, target_days=policy.target_days
        ):
            suggestions.append(
                RebalancingSuggestion(sku_id, sku_code, move.quantity,
                                      at[move.from_location_id], at[move.to_location_id])
            )  # fmt: skip
    return sorted(suggestions, key=lambda suggestion: suggestion.target.days_of_cover)
