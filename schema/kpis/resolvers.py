from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from api.auth import Permission
from api.kpis.periods import Granularity
from api.kpis.service import kpis
from schema import fields
from schema.context import Info
from schema.kpis.types import KpiFigures, KpiGranularity, KpiReport
from schema.relay import query_id

DEFAULT_CURRENCY = "EUR"


@strawberry.type
class KpiQueries:
    @fields.query(
        Permission.REPORTS_READ,
        description="Fulfilment KPIs for the orders placed from `from` up to (not including) "
        "`to`, and the stock and picking of that time: totals and a series by `granularity` "
        "(UTC days, ISO weeks, months). `channel` and `location` narrow them; money figures "
        "are in `currency`.",
    )
    async def kpis(
        self,
        info: Info,
        from_: Annotated[datetime, strawberry.argument(name="from")],
        to: datetime,
        channel: strawberry.ID | None = None,
        location: strawberry.ID | None = None,
        granularity: KpiGranularity = Granularity.DAY,  # type: ignore[valid-type]
        currency: str = DEFAULT_CURRENCY,
    ) -> KpiReport:
        report = await kpis(
            info.context.database,
            from_,
            to,
            Granularity(granularity),
            currency=currency,
            channel_id=query_id(channel, "Channel", "channel") if channel else None,
            location_id=query_id(location, "Location", "location") if location else None,
        )
        return KpiReport(
            from_=from_,
            to=to,
            granularity=granularity,
            currency=report.currency,
            totals=KpiFigures.of(report.totals, report.currency),
            series=[KpiFigures.of(figures, report.currency) for figures in report.series],
        )
