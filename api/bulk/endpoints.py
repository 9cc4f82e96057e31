"""``GET /exports/orders.csv`` and ``/exports/orders.jsonl``: orders placed in a range, streamed.

Authorised like GraphQL (``Authorization: Bearer <staff token or API key>``, with
``orders:read``); ``from`` and ``to`` are ISO 8601 times with an offset, or dates (midnight UTC).
"""

from __future__ import annotations

from datetime import UTC

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from api.auth import Permission
from api.bulk.order_export import MEDIA_TYPES, ExportFormat, checked_range, export_orders
from api.db import Database
from api.downloads import moment_parameter, refusal
from api.errors import InvalidInput


async def orders_export(request: Request) -> Response:
    refused = await refusal(request, Permission.ORDERS_READ)
    if refused is not None:
        return refused
    database: Database = request.app.state.database
    try:
        export_format = ExportFormat(request.path_params["format"])
    except ValueError:
        return JSONResponse({"error": "export as orders.csv or orders.jsonl"}, status_code=404)
    try:
        start, end = checked_range(
            moment_parameter(request.query_params.get("from", ""), "from"),
            moment_parameter(request.query_params.get("to", ""), "to"),
        )
    except InvalidInput as error:
        return JSONResponse({"error": error.message}, status_code=400)
    first, last = start.astimezone(UTC), end.astimezone(UTC)
    name = f"orders-{first:%Y%m%dT%H%M%S}-{last:%Y%m%dT%H%M%S}.{export_format.value}"
    return StreamingResponse(
        export_orders(database, start, end, export_format),
        media_type=MEDIA_TYPES[export_format],
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )
