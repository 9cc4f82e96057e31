"""The return label download, behind the same signed links as shipment labels."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlmodel import col
from starlette.requests import Request
from starlette.responses import Response

from api.fulfilment.endpoints import label_response
from api.returns.models import ReturnLabel

_RETURN_LABEL = select(col(ReturnLabel.pdf)).where(col(ReturnLabel.return_id) == bindparam("owner"))


async def return_label(request: Request) -> Response:
    return await label_response(request, "return", _RETURN_LABEL)
