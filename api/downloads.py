"""Plain HTTP downloads (exports, report CSVs) are authorised like GraphQL: ``Authorization:
Bearer <staff token or API key>`` holding the permission the download needs."""

from __future__ import annotations

from datetime import UTC, date, datetime

from starlette.requests import Request
from starlette.responses import JSONResponse

from api.auth import Permission, bearer_credential
from api.db import Database
from api.errors import InvalidInput
from api.settings import Settings
from api.users.service import authenticate
from api.validation import whole_number


async def refusal(request: Request, permission: Permission) -> JSONResponse | None:
    """The answer to a caller without ``permission`` (401 without credentials, 403 with
    others); None for one who holds it."""
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
    if not principal.can(permission):
        return JSONResponse(
            {"error": f"this needs the {permission.value} permission"}, status_code=403
        )
    return None


def moment_parameter(text: str, name: str) -> datetime:
    """An ISO 8601 time with an offset, or a date (midnight UTC)."""
    text = text.strip().replace(" ", "+")  # an unencoded "+01:00" arrives as " 01:00"
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
        return datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{name} must be an ISO 8601 date or time", field=[name]) from None


def whole_number_parameter(request: Request, name: str, default: int) -> int:
    text = request.query_params.get(name)
    if text is None:
        return default
    number = whole_number(text.strip(), max_digits=9)
    if number is None:
        raise InvalidInput(f"{name} must be a whole number", field=[name])
    return number
