"""The reports as CSV: ``GET /reports/{low-stock,slow-movers,late-shipments,open-returns}.csv``.

Authorised like GraphQL, with ``reports:read``. Parameters as the GraphQL queries take them,
except that a location is given by its code: ``location=BER``; ``coverDays``, ``salesDays``
where the report has them; ``first`` (default and most: ``MAX_ROWS``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from api.auth import Permission
from api.db import Database
from api.dbtypes import utcnow
from api.downloads import refusal, whole_number_parameter
from api.errors import InvalidInput
from api.locations.models import Location
from api.reads import Reader, columns
from api.reports.aftercare import late_shipments, open_returns
from api.reports.stock import MAX_ROWS, StockRow, low_stock, slow_movers
from api.spreadsheets import csv_text

Table = tuple[Sequence[str], list[list[Any]]]
"""A CSV's header and lines."""

STOCK_COLUMNS = (
    "location", "sku", "sku_name", "on_hand", "reserved", "available", "incoming",
    "safety_stock", "units_shipped", "daily_sales", "days_of_cover", "last_shipped_at",
    "stock_value", "currency",
)  # fmt: skip


def _stock_line(row: StockRow) -> list[Any]:
    return [
        row.location_code, row.sku, row.sku_name, row.on_hand, row.reserved, row.available,
        row.incoming, row.safety_stock, row.units_shipped, round(row.daily_sales, 3),
        _number(row.days_of_cover), _moment(row.last_shipped_at), row.stock_value, row.currency,
    ]  # fmt: skip


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _moment(value: datetime | None) -> str:
    return "" if value is None else value.isoformat()


@dataclass(frozen=True)
class Options:
    now: datetime
    location_id: int | None
    limit: int
    request: Request


async def _low_stock(reader: Reader, options: Options) -> Table:
    rows = await low_stock(
        reader,
        options.now,
        location_id=options.location_id,
        cover_days=whole_number_parameter(options.request, "coverDays", 14),
        sales_days=whole_number_parameter(options.request, "salesDays", 28),
        limit=options.limit,
    )
    return (*STOCK_COLUMNS, "reason"), [[*_stock_line(row), row.reason] for row in rows]


async def _slow_movers(reader: Reader, options: Options) -> Table:
    rows = await slow_movers(
        reader,
        options.now,
        location_id=options.location_id,
        sales_days=whole_number_parameter(options.request, "salesDays", 90),
        cover_days=whole_number_parameter(options.request, "coverDays", 180),
        limit=options.limit,
    )
    return STOCK_COLUMNS, [_stock_line(row) for row in rows]


async def _late(reader: Reader, options: Options) -> Table:
    rows = await late_shipments(
        reader, options.now, location_id=options.location_id, limit=options.limit
    )
    header = (
        "order", "location", "status", "promised_at", "days_late", "shipped_at", "carrier",
        "tracking_number", "estimated_delivery_at",
    )  # fmt: skip
    return header, [
        [
            row.order_number,
            row.location_code,
            row.status,
            _moment(row.promised_at),
            _number(row.days_late),
            _moment(row.shipped_at),
            row.carrier or "",
            row.tracking_number or "",
            _moment(row.estimated_delivery_at),
        ]
        for row in rows
    ]


async def _open_returns(reader: Reader, options: Options) -> Table:
    report = await open_returns(reader, options.now, limit=options.limit)
    header = ("return_id", "order", "status", "requested_at", "age_days", "units")
    return header, [
        [
            row.return_id,
            row.order_number,
            row.status,
            _moment(row.requested_at),
            row.age_days,
            row.units,
        ]
        for row in report.oldest
    ]


REPORTS: dict[
    str, Callable[[Reader, Options], Awaitable[tuple[Sequence[str], list[list[Any]]]]]
] = {
    "low-stock": _low_stock,
    "slow-movers": _slow_movers,
    "late-shipments": _late,
    "open-returns": _open_returns,
}


async def _location_id(reader: Reader, code: str | None) -> int | None:
    if code is None:
        return None
    location = columns(Location)
    found = (await reader.execute(select(location.id).where(location.code == code))).scalar()
    if found is None:
        raise InvalidInput(f"No location with code {code}", field=["location"])
    return int(found)


async def report_csv(request: Request) -> Response:
    refused = await refusal(request, Permission.REPORTS_READ)
    if refused is not None:
        return refused
    name = request.path_params["name"]
    report = REPORTS.get(name)
    if report is None:
        return JSONResponse({"error": f"reports: {', '.join(REPORTS)} (.csv)"}, status_code=404)
    database: Database = request.app.state.database
    try:
        async with database.reader() as reader:
            options = Options(
                now=utcnow(),
                location_id=await _location_id(reader, request.query_params.get("location")),
                limit=whole_number_parameter(request, "first", MAX_ROWS),
                request=request,
            )
            header, lines = await report(reader, options)
    except InvalidInput as error:
        return JSONResponse({"error": error.message, "field": error.field}, status_code=400)
    text = csv_text([header, *lines])
    stamp = f"{options.now:%Y%m%dT%H%M%S}"
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}-{stamp}.csv"'},
    )
