from __future__ import annotations

import math
from datetime import date, timedelta

import strawberry

from api.planning.plans import LevelOutlook, RebalancingSuggestion
from api.planning.service import DemandForecast
from api.planning.statuses import LeadTimeSource
from schema.catalog.types import SkuType
from schema.locations.types import LocationType
from schema.purchasing.types import SupplierType
from schema.relations import related
from schema.scalars import BigInt, Money, MoneyTotal


@strawberry.type(description="Units demanded (history) or expected (forecast) on one UTC day.")
class DemandDay:
    date: date
    units: float


@strawberry.type(
    name="DemandForecast",
    description="Daily demand for a SKU at a location (or everywhere) and its forecast. A day's "
    "demand: units shipped that day plus units of that day's orders still held for them "
    "(everywhere: and backordered); cancelled units are not demand.",
)
class DemandForecastType:
    sku_id: strawberry.Private[int]
    location_id: strawberry.Private[int | None]
    method: str = strawberry.field(
        description="The method that forecast best on the held-out days: mean, exponential "
        "smoothing, damped trend, seasonal naive or holt-winters."
    )
    mean_absolute_error: float | None = strawberry.field(
        description="Its mean absolute error (units a day) on the last 1-4 weeks of history, held "
        "out while fitting; null when the history is too short to hold any back."
    )
    naive_mean_absolute_error: float | None = strawberry.field(
        description="The same for the last day's value repeated, to compare with."
    )
    history: list[DemandDay]
    forecast: list[DemandDay]

    sku = related("sku_by_id", "sku_id", SkuType)
    location = related("location_by_id", "location_id", LocationType | None)

    @classmethod
    def of(cls, result: DemandForecast) -> DemandForecastType:
        assert result.sku.id is not None
        first = result.first_day
        tomorrow = first + timedelta(days=len(result.history))
        return cls(
            sku_id=result.sku.id,
            location_id=result.location_id,
            method=result.forecast.method,
            mean_absolute_error=result.forecast.mae,
            naive_mean_absolute_error=result.forecast.naive_mae,
            history=[
                DemandDay(date=first + timedelta(days=index), units=units)
                for index, units in enumerate(result.history)
            ],
            forecast=[
                DemandDay(date=tomorrow + timedelta(days=index), units=units)
                for index, units in enumerate(result.forecast.daily)
            ],
        )


strawberry.enum(LeadTimeSource)


@strawberry.type(
    name="ReplenishmentSuggestion",
    description="A level whose stock position (available + incoming + on draft purchase orders) "
    "is at or below its reorder point, and what to order: up to the reorder point plus the "
    "review period's demand, in whole packs.",
)
class ReplenishmentSuggestionType:
    location_id: strawberry.Private[int]
    sku_id: strawberry.Private[int]
    supplier_id: strawberry.Private[int | None]
    quantity: int = strawberry.field(description="Units to order.")
    pack_size: int
    unit_cost: Money | None = strawberry.field(description="The supplier's; null without one.")
    estimated_cost: MoneyTotal | None = strawberry.field(description="quantity x unitCost.")
    available: int
    incoming: int
    drafted: int = strawberry.field(description="Units on draft purchase orders.")
    position: int = strawberry.field(description="available + incoming + drafted.")
    daily_demand: float = strawberry.field(
        description="Forecast units a day over the lead time and review period."
    )
    days_of_cover: float | None = strawberry.field(
        description="available / dailyDemand; null without demand."
    )
    lead_time_days: int
    lead_time_source: LeadTimeSource
    demand_over_lead_time: float
    safety_stock: float = strawberry.field(
        description="z(service level) x forecast error x sqrt(lead time): the units that cover "
        "a forecast that errs, at the service level."
    )
    reorder_point: float = strawberry.field(description="demandOverLeadTime + safetyStock.")
    forecast_method: str
    forecast_error: float | None = strawberry.field(
        description="The forecast's mean absolute error on held-out days, units a day."
    )

    location = related("location_by_id", "location_id", LocationType)
    sku = related("sku_by_id", "sku_id", SkuType)
    supplier = related(
        "supplier_by_id",
        "supplier_id",
        SupplierType | None,
        description="The SKU's cheapest supplier; null when none sells it.",
    )

    @classmethod
    def of(cls, outlook: LevelOutlook) -> ReplenishmentSuggestionType:
        terms, figures = outlook.supplier, outlook.replenishment
        return cls(
            location_id=outlook.location_id,
            sku_id=outlook.sku_id,
            supplier_id=terms.supplier_id if terms else None,
            quantity=figures.quantity,
            pack_size=terms.pack_size if terms else 1,
            unit_cost=Money(amount=terms.unit_cost, currency=terms.currency) if terms else None,
            estimated_cost=(
                MoneyTotal(
                    amount=BigInt(terms.unit_cost * figures.quantity), currency=terms.currency
                )
                if terms
                else None
            ),
            available=outlook.available,
            incoming=outlook.incoming,
            drafted=outlook.drafted,
            position=figures.position,
            daily_demand=round(outlook.daily_demand, 3),
            days_of_cover=_rounded(outlook.days_of_cover),
            lead_time_days=outlook.lead_time.days,
            lead_time_source=outlook.lead_time.source,
            demand_over_lead_time=round(figures.demand_over_lead_time, 2),
            safety_stock=round(figures.safety_stock, 2),
            reorder_point=round(figures.reorder_point, 2),
            forecast_method=outlook.forecast.method,
            forecast_error=_rounded(outlook.forecast.mae, 3),
        )


@strawberry.type(
    name="RebalancingSuggestion",
    description="A transfer from a location with more days of cover than the target to one "
    "with fewer than the short threshold, each location's demand its forecast over the target "
    "days. Cover counts incoming units; only available ones are sent.",
)
class RebalancingSuggestionType:
    sku_id: strawberry.Private[int]
    from_location_id: strawberry.Private[int]
    to_location_id: strawberry.Private[int]
    quantity: int
    from_available: int
    from_daily_demand: float
    from_days_of_cover: float | None = strawberry.field(description="Null without demand.")
    from_days_of_cover_after: float | None
    to_available: int
    to_incoming: int
    to_daily_demand: float
    to_days_of_cover: float
    to_days_of_cover_after: float

    sku = related("sku_by_id", "sku_id", SkuType)
    from_location = related("location_by_id", "from_location_id", LocationType)
    to_location = related("location_by_id", "to_location_id", LocationType)

    @classmethod
    def of(cls, suggestion: RebalancingSuggestion) -> RebalancingSuggestionType:
        source, target = suggestion.source, suggestion.target
        source_after, target_after = suggestion.days_of_cover_after()
        return cls(
            sku_id=suggestion.sku_id,
            from_location_id=source.location_id,
            to_location_id=target.location_id,
            quantity=suggestion.quantity,
            from_available=source.available,
            from_daily_demand=round(source.daily_demand, 3),
            from_days_of_cover=_rounded(source.days_of_cover),
            from_days_of_cover_after=_rounded(source_after),
            to_available=target.available,
            to_incoming=target.incoming,
            to_daily_demand=round(target.daily_demand, 3),
            to_days_of_cover=round(target.days_of_cover, 1),
            to_days_of_cover_after=round(target_after, 1),
        )


def _rounded(value: float | None, digits: int = 1) -> float | None:
    """None for no figure and for an endless cover (no demand)."""
    return None if value is None or math.isinf(value) else round(value, digits)
