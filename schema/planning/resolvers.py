from __future__ import annotations

import strawberry

from api.auth import Permission
from api.dbtypes import utcnow
from api.planning.service import demand_forecast
from schema import fields
from schema.context import Info
from schema.planning.types import DemandForecastType
from schema.relay import query_id


@strawberry.type
class PlanningQueries:
    @fields.query(
        Permission.INVENTORY_READ,
        description="Daily demand for a SKU over the last `historyDays` UTC days (today "
        "included) at a location, or everywhere, and its forecast for the next `days`.",
    )
    async def demand_forecast(
        self,
        info: Info,
        sku: str,
        location_id: strawberry.ID | None = None,
        days: int = 28,
        history_days: int = 91,
    ) -> DemandForecastType:
        location_pk = query_id(location_id, "Location", "locationId") if location_id else None
        async with info.context.database.session() as session:
            result = await demand_forecast(
                session,
                sku_code=sku,
                location_id=location_pk,
                days=days,
                history_days=history_days,
                today=utcnow().date(),
            )
        return DemandForecastType.of(result)
