from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from api.auth import Permission
from api.dbtypes import utcnow
from api.kpis.periods import Granularity
from api.kpis.service import kpis, turnover_of_levels
from api.reports import aftercare, stock
from schema import fields
from schema.context import Info
from schema.kpis.types import (
    KpiFigures,
    KpiGranularity,
    KpiReport,
    LateShipmentRow,
    LevelTurnoverRow,
    OpenReturnsReport,
    StockReportRow,
)
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

    @fields.query(
        Permission.REPORTS_READ,
        description="Inventory turnover and days on hand per location and SKU over the whole "
        "UTC days from `from` to `to`: the slowest first (stock that shipped nothing leads), "
        "or the fastest.",
    )
    async def inventory_turnover(
        self,
        info: Info,
        from_: Annotated[datetime, strawberry.argument(name="from")],
        to: datetime,
        location_id: strawberry.ID | None = None,
        fastest: bool = False,
        currency: str = DEFAULT_CURRENCY,
        first: int = 100,
    ) -> list[LevelTurnoverRow]:
        levels = await turnover_of_levels(
            info.context.database,
            from_,
            to,
            currency=currency,
            location_id=_location(location_id),
            fastest=fastest,
            limit=first,
        )
        return [LevelTurnoverRow.of(level) for level in levels]


def _location(location_id: strawberry.ID | None) -> int | None:
    return query_id(location_id, "Location", "locationId") if location_id else None


@strawberry.type
class ReportQueries:
    @fields.query(
        Permission.REPORTS_READ,
        description="Levels running low: free units (on hand less reserved) below the safety "
        "stock, or lasting fewer than `coverDays` at the rate shipped over the last "
        "`salesDays`; the shortest cover first. Also as CSV: GET /reports/low-stock.csv.",
    )
    async def low_stock_report(
        self,
        info: Info,
        location_id: strawberry.ID | None = None,
        cover_days: int = 14,
        sales_days: int = 28,
        first: int = 100,
    ) -> list[StockReportRow]:
        async with info.context.reads.reader() as reader:
            rows = await stock.low_stock(
                reader,
                utcnow(),
                location_id=_location(location_id),
                cover_days=cover_days,
                sales_days=sales_days,
                limit=first,
            )
        return [StockReportRow.of(row, low=True) for row in rows]

    @fields.query(
        Permission.REPORTS_READ,
        description="Stock that does not move: levels with units on hand of which nothing "
        "shipped over the last `salesDays`, or that last more than `coverDays` at that rate; "
        "the most money standing still first. Also as CSV: GET /reports/slow-movers.csv.",
    )
    async def slow_movers_report(
        self,
        info: Info,
        location_id: strawberry.ID | None = None,
        sales_days: int = 90,
        cover_days: int = 180,
        first: int = 100,
    ) -> list[StockReportRow]:
        async with info.context.reads.reader() as reader:
            rows = await stock.slow_movers(
                reader,
                utcnow(),
                location_id=_location(location_id),
                sales_days=sales_days,
                cover_days=cover_days,
                limit=first,
            )
        return [StockReportRow.of(row, low=False) for row in rows]

    @fields.query(
        Permission.REPORTS_READ,
        description="Shipments neither delivered nor cancelled whose order's promised date "
        "has passed, the longest overdue first. Also as CSV: GET /reports/late-shipments.csv.",
    )
    async def late_shipments_report(
        self, info: Info, location_id: strawberry.ID | None = None, first: int = 100
    ) -> list[LateShipmentRow]:
        async with info.context.reads.reader() as reader:
            rows = await aftercare.late_shipments(
                reader, utcnow(), location_id=_location(location_id), limit=first
            )
        return [LateShipmentRow.of(row) for row in rows]

    @fields.query(
        Permission.REPORTS_READ,
        description="Returns not yet settled, counted by age band and status, and the oldest "
        "of them. Also as CSV: GET /reports/open-returns.csv.",
    )
    async def open_returns_report(self, info: Info, first: int = 100) -> OpenReturnsReport:
        async with info.context.reads.reader() as reader:
            report = await aftercare.open_returns(reader, utcnow(), limit=first)
        return OpenReturnsReport.of(report)
