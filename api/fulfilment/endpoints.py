"""HTTP endpoints beside GraphQL: label PDFs behind signed links, and the carriers' signed
tracking feed.

A label link (a shipment's, or a return's for the customer) carries its expiry and an HMAC of
the label's owner and expiry, so a browser or a label printer can open it without a token. A
carrier posts its reports with ``X-OMS-Timestamp`` (Unix seconds) and
``X-OMS-Signature: sha256=<hex>``, the HMAC-SHA256 of ``<timestamp>.<raw body>`` under the
carrier secret; reports older or newer than five minutes are refused, so a captured request
cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlmodel import col
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from api.bodies import body_limit
from api.db import Database
from api.errors import DomainError
from api.fulfilment.models import ShippingLabel
from api.fulfilment.tracking import record_tracking_event
from api.orders.statuses import ShipmentStatus
from api.settings import Settings
from api.signing import digests_match, timed_digest, within_replay_window
from api.validation import whole_number

MAX_REPORT_BYTES = 16_384


def _digest(secret: str, message: str) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


LABEL_PATHS = {"shipment": "/labels/{id}.pdf", "return": "/labels/returns/{id}.pdf"}


def label_path(
    owner_id: int, settings: Settings, *, kind: str = "shipment", now: float | None = None
) -> str:
    """A link to the label of a shipment (or, ``kind="return"``, of a return)."""
    expires = int((now or time.time()) + settings.label_url_lifetime_hours * 3600)
    signature = _digest(settings.secret_key, f"{kind}-label:{owner_id}:{expires}")
    path = LABEL_PATHS[kind].format(id=owner_id)
    return f"{path}?expires={expires}&signature={signature}"


def label_link_valid(
    owner_id: int, expires: str, signature: str, settings: Settings, kind: str = "shipment"
) -> bool:
    expiry = whole_number(expires, max_digits=12)
    if expiry is None or expiry < time.time():
        return False
    return digests_match(
        _digest(settings.secret_key, f"{kind}-label:{owner_id}:{expires}"), signature
    )


async def label_response(request: Request, kind: str, statement: Any) -> Response:
    """The PDF a signed label link points at (``kind`` shipment or return)."""
    settings: Settings = request.app.state.settings
    database: Database = request.app.state.database
    raw_id = request.path_params["owner_id"]
    owner_id = whole_number(raw_id)
    if owner_id is None:
        return JSONResponse({"error": "no such label"}, status_code=404)
    query = request.query_params
    if not label_link_valid(
        owner_id, query.get("expires", ""), query.get("signature", ""), settings, kind
    ):
        return JSONResponse({"error": "the link is invalid or has expired"}, status_code=403)
    async with database.reader() as reader:
        pdf = (await reader.execute(statement, {"owner": owner_id})).scalar_one_or_none()
    if pdf is None:
        return JSONResponse({"error": "no such label"}, status_code=404)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"content-disposition": f'inline; filename="{kind}-label-{owner_id}.pdf"'},
    )


_SHIPMENT_LABEL = select(col(ShippingLabel.pdf)).where(
    col(ShippingLabel.shipment_id) == bindparam("owner")
)


async def label(request: Request) -> Response:
    return await label_response(request, "shipment", _SHIPMENT_LABEL)


def report_signature(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + timed_digest(secret, timestamp, body)


async def carrier_events(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    database: Database = request.app.state.database
    timestamp = request.headers.get("x-oms-timestamp", "")
    signature = request.headers.get("x-oms-signature", "")
    if not within_replay_window(timestamp):
        return JSONResponse({"error": "missing or stale X-OMS-Timestamp"}, status_code=401)
    body_limit(request.scope).bytes = MAX_REPORT_BYTES
    body = await request.body()
    expected = report_signature(settings.carrier_webhook_secret, timestamp, body)
    if not digests_match(expected, signature):
        return JSONResponse({"error": "bad X-OMS-Signature"}, status_code=401)
    try:
        report = json.loads(body)
        status = ShipmentStatus(report["status"])
        occurred_at = datetime.fromisoformat(report["occurredAt"])
        number = str(report["trackingNumber"])
        description = report.get("description")
    except (ValueError, KeyError, TypeError) as error:
        return JSONResponse({"error": f"malformed report: {error}"}, status_code=400)
    carrier = request.path_params["carrier"].upper()[:32]
    try:
        async with database.unit_of_work(f"carrier:{carrier}") as uow:
            shipment = await record_tracking_event(
                uow,
                tracking_number=number,
                status=status,
                occurred_at=occurred_at,
                description=description if isinstance(description, str) else None,
                carrier=carrier,
            )
    except DomainError as error:
        code = 404 if error.code.value == "NOT_FOUND" else 422
        return JSONResponse({"error": error.message, "code": error.code.value}, status_code=code)
    return JSONResponse({"trackingNumber": number, "shipmentStatus": shipment.status})
