"""Logs: one line per record, as text for people or as JSON for a log collector
(``OMS_LOG_FORMAT``), each naming the request it belongs to; secrets kept out.

Nothing logs credentials, request bodies or variables; what could carry a secret is the request
line of the access log (a signed label link's ``signature``, a ``token``, a tracking token in a
GET request's GraphQL arguments or variables), so such values are replaced before the line is
written.
"""

from __future__ import annotations

import json
import logging
import logging.config
import re
import traceback
from contextvars import ContextVar
from typing import Any
from urllib.parse import quote_plus, unquote_plus

from sqlalchemy.exc import DBAPIError

request_id: ContextVar[str] = ContextVar("request_id", default="-")

SECRET_PARAMETERS = ("signature", "token", "key", "secret", "password", "authorization")
REDACTED = "[redacted]"
# A GET request's GraphQL document can carry a secret as a string argument or a variable
# (``orderByTrackingToken(token: "...")``). A word-boundary start keeps these searches linear:
# they try one position per word, not every character.
_SECRET_ARGUMENT = re.compile(r'\b(\w+)(\s*:\s*)"(?:[^"\\]|\\.)*"')
_VARIABLE_ARGUMENT = re.compile(r"\b(\w+)\s*:\s*\$(\w+)")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s"


def _is_secret(name: str) -> bool:
    """A name that contains one of the words (api_key, access_token, trackingToken, ...)."""
    lowered = name.lower()
    return any(word in lowered for word in SECRET_PARAMETERS)


def _scrubbed(value: Any, secret_names: set[str]) -> Any:
    if isinstance(value, dict):
        return {
            key: REDACTED
            if (_is_secret(key) or key in secret_names) and not isinstance(item, (dict, list))
            else _scrubbed(item, secret_names)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_scrubbed(item, secret_names) for item in value]
    return value


def _redacted_query(text: str) -> str:
    return _SECRET_ARGUMENT.sub(
        lambda found: f'{found[1]}{found[2]}"{REDACTED}"' if _is_secret(found[1]) else found[0],
        text,
    )


def _redacted_variables(text: str, secret_names: set[str]) -> str:
    try:
        return json.dumps(_scrubbed(json.loads(text), secret_names), separators=(",", ":"))
    except ValueError:  # not JSON: whatever it says stays out if it could name a secret
        return REDACTED if _is_secret(text) or secret_names else text


def redacted(target: str) -> str:
    """A request line's path and query with the values that could be secrets replaced, in
    linear time whatever the query string holds: parameters named like secrets, and in a GET
    request's GraphQL document the string arguments named so and the variables they take."""
    path, mark, query = target.partition("?")
    if not mark:
        return target
    parameters = [part.partition("=") for part in query.split("&")]
    decoded = {unquote_plus(name): unquote_plus(value) for name, _, value in parameters}
    document = decoded.get("query", "")
    secret_names = {found[2] for found in _VARIABLE_ARGUMENT.finditer(document)
                    if _is_secret(found[1])}  # fmt: skip
    parts = []
    for name, equals, value in parameters:
        plain_name = unquote_plus(name)
        if equals and _is_secret(plain_name):
            value = REDACTED
        elif equals and plain_name in ("query", "variables", "extensions"):
            text = unquote_plus(value)
            cleaned = (
                _redacted_query(text)
                if plain_name == "query"
                else _redacted_variables(text, secret_names)
            )
            value = value if cleaned == text else quote_plus(cleaned, safe="[]")
        parts.append(f"{name}{equals}{value}")
    return f"{path}?{'&'.join(parts)}"


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class RedactAccessLine(logging.Filter):
    """uvicorn's access record: (client, method, path with query, HTTP version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) == 5:
            client, method, path, version, status = record.args
            record.args = (client, method, redacted(str(path)), version, status)
        return True


def database_error_summary(error: DBAPIError) -> str:
    """What a failed statement is, for a log line: the driver's error class, its SQLSTATE and
    constraint when it has them, and the statement. Not the driver's message, whose detail
    quotes the values (``Key (email)=(...) already exists``), nor the parameters."""
    original = error.orig
    parts = [type(error).__name__]
    if original is not None:
        parts.append(type(original).__name__)
    for attribute in ("sqlstate", "constraint_name"):
        value = getattr(original, attribute, None) or getattr(
            getattr(original, "__cause__", None), attribute, None
        )
        if value:
            parts.append(f"{attribute}={value}")
    return f"{' '.join(parts)} [SQL: {' '.join(str(error.statement).split())}]"


def _database_error_in(error: BaseException | None) -> DBAPIError | None:
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, DBAPIError):
            return error
        error = error.__cause__ or error.__context__
        seen += 1
    return None


class HideDatabaseValues(logging.Filter):
    """A logged exception that is (or came from) a failed statement is written as where it
    failed and ``database_error_summary``: the driver's message would quote the values."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        failed = _database_error_in(error)
        if error is not None and failed is not None:
            frames = "".join(traceback.format_tb(error.__traceback__))
            record.exc_text = (
                f"Traceback (most recent call last):\n{frames}{database_error_summary(failed)}"
            )
            record.exc_info = None
        return True


def logging_config(level: str, log_format: str) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for the API and uvicorn alike."""
    formatter: dict[str, Any] = (
        {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": JSON_FIELDS,
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
        if log_format == "json"
        else {"format": TEXT_FORMAT}
    )
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "oms",
        "filters": ["request_id", "hide_database_values"],
        "stream": "ext://sys.stderr",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"oms": formatter},
        "filters": {
            "request_id": {"()": RequestIdFilter},
            "hide_database_values": {"()": HideDatabaseValues},
            "redact": {"()": RedactAccessLine},
        },
        "handlers": {
            "default": handler,
            "access": {**handler, "filters": ["request_id", "hide_database_values", "redact"]},
        },
        "root": {"handlers": ["default"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": level, "propagate": False},
            "uvicorn.error": {"level": level},
            "uvicorn.access": {"handlers": ["access"], "level": level, "propagate": False},
            # At DEBUG the SQLite driver writes every statement with its parameters.
            "aiosqlite": {"level": "INFO"},
        },
    }


def configure_logging(level: str, log_format: str) -> None:
    """Configures logging unless something did already (``oms serve`` hands uvicorn the same
    configuration; a test runner has its own)."""
    if not logging.getLogger().handlers:
        logging.config.dictConfig(logging_config(level, log_format))
