"""``GET /exports/orders.csv`` and ``/exports/orders.jsonl``: orders placed in a range, streamed.

Authorised like GraphQL (``Authorization: Bearer <staff token or API key>``, with
``orders:read``); ``from`` and ``to`` are ISO 8601 times with an offset, or dates (midnight UTC).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from api.auth import Permission, bearer_credential
from api.bulk.order_export import MEDIA_TYPES, ExportFormat, checked_range, export_orders
from api.db import Database
from api.errors import InvalidInput
from api.settings import Settings
from api.users.service import authenticate


def _moment(text: str, name: str) -> datetime:
    text = text.strip().replace(" ", "+")  # an unencoded "+01:00" arrives as " 01:00"
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
        return datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{name} must be an ISO 8601 date or time", field=[name]) from None


async def orders_export(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    database: Database = request.app.state.database
    principal = await authenticate(
        database,
        bearer_credential(request.headers.get("authorization", "")),
        secret_key=settings.secret_key,
    )
    if not principal.is_authenticated:
        return JSONResponse(
            {"error": "authentication required: send Authorization: Bearer <token>"},
            status_code=401,
            headers={"www-authenticate": "Bearer"},
        )
    if not principal.can(Permission.ORDERS_READ):
        return JSONResponse({"error": "this needs the orders:read permission"}, status_code=403)
    try:
        export_format = ExportFormat(request.path_params["format"])
    except ValueError:
        return JSONResponse({"error": "export as orders.csv or orders.jsonl"}, status_code=404)
    try:
        start, end = checked_range(
            _moment(request.query_params.get("from", ""), "from"),
            _moment(request.query_params.get("to", ""), "to"),
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
