from __future__ import annotations

from datetime import date, timedelta

import strawberry

from api.planning.service import DemandForecast
from schema.catalog.types import SkuType
from schema.locations.types import LocationType
from schema.relations import related


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
