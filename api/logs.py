"""Logs: one line per record, as text for people or as JSON for a log collector
(``OMS_LOG_FORMAT``), each naming the request it belongs to; secrets kept out.

Nothing logs credentials, request bodies or variables; what could carry a secret is the request
line of the access log (a signed label link's ``signature``, a ``token``), so its query values
of that kind are replaced before the line is written.
"""

from __future__ import annotations

import logging
import logging.config
import re
from contextvars import ContextVar
from typing import Any

request_id: ContextVar[str] = ContextVar("request_id", default="-")

SECRET_PARAMETERS = ("signature", "token", "key", "secret", "password", "authorization")
# A parameter whose name contains one of the words (api_key, access_token, ...).
_SECRET_VALUE = re.compile(
    rf"(?i)([?&][^=&#\s]*(?:{'|'.join(SECRET_PARAMETERS)})[^=&#\s]*=)[^&#\s]*"
)
REDACTED = "[redacted]"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s"


def redacted(text: str) -> str:
    return _SECRET_VALUE.sub(rf"\1{REDACTED}", text)


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
        "filters": ["request_id"],
        "stream": "ext://sys.stderr",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"oms": formatter},
        "filters": {
            "request_id": {"()": RequestIdFilter},
            "redact": {"()": RedactAccessLine},
        },
        "handlers": {
            "default": handler,
            "access": {**handler, "filters": ["request_id", "redact"]},
        },
        "root": {"handlers": ["default"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": level, "propagate": False},
            "uvicorn.error": {"level": level},
            "uvicorn.access": {"handlers": ["access"], "level": level, "propagate": False},
        },
    }


def configure_logging(level: str, log_format: str) -> None:
    """Configures logging unless something did already (``oms serve`` hands uvicorn the same
    configuration; a test runner has its own)."""
    if not logging.getLogger().handlers:
        logging.config.dictConfig(logging_config(level, log_format))
