"""Typed domain errors. Services raise them; the GraphQL layer turns them into userErrors."""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    INVALID_INPUT = "INVALID_INPUT"
    INVALID_ID = "INVALID_ID"
    NOT_FOUND = "NOT_FOUND"
    ALREADY_EXISTS = "ALREADY_EXISTS"
    INSUFFICIENT_STOCK = "INSUFFICIENT_STOCK"
    STALE_VERSION = "STALE_VERSION"
    ILLEGAL_TRANSITION = "ILLEGAL_TRANSITION"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    IDEMPOTENCY_CONFLICT = "IDEMPOTENCY_CONFLICT"
    PAYMENT_DECLINED = "PAYMENT_DECLINED"
    PAYMENT_FAILED = "PAYMENT_FAILED"
    REFUND_EXCEEDS_CAPTURED = "REFUND_EXCEEDS_CAPTURED"
    OVER_RECEIPT = "OVER_RECEIPT"
    NO_SUGGESTION = "NO_SUGGESTION"


class DomainError(Exception):
    """An expected failure of a command, with a stable code and the input field it concerns."""

    code: ErrorCode = ErrorCode.INVALID_INPUT
    causes: tuple[DomainError, ...] = ()
    """The individual failures, when one command fails for several reasons at once."""

    def __init__(self, message: str, *, field: list[str] | None = None, **data: Any) -> None:
        super().__init__(message)
        self.message = message
        # "address.country" and ["address", "country"] both name the same input path.
        self.field = [part for name in field for part in name.split(".")] if field else None
        self.data = data


class InvalidInput(DomainError):
    code = ErrorCode.INVALID_INPUT


class RowsRejected(InvalidInput):
    """Rows of a bulk batch are invalid; nothing of the batch was applied. ``causes`` holds one
    error per cell at fault (the first hundred), each naming ``["file", <line>, <column>]``."""

    def __init__(self, causes: list[DomainError], *, total: int | None = None) -> None:
        total = total or len(causes)
        super().__init__(
            f"{total} error{'s' if total != 1 else ''}; none of these rows was imported",
            field=["file"],
            errors=total,
        )
        self.causes = tuple(causes)


class InvalidId(DomainError):
    code = ErrorCode.INVALID_ID


class NotFound(DomainError):
    code = ErrorCode.NOT_FOUND

    def __init__(self, what: str, key: object, *, field: list[str] | None = None) -> None:
        super().__init__(f"{what} {key!s} does not exist", field=field, what=what, key=str(key))


class AlreadyExists(DomainError):
    code = ErrorCode.ALREADY_EXISTS

    def __init__(self, what: str, key: object, *, field: list[str] | None = None) -> None:
        super().__init__(f"{what} {key!s} already exists", field=field, what=what, key=str(key))


class IllegalTransition(DomainError):
    code = ErrorCode.ILLEGAL_TRANSITION


class InvalidCredentials(DomainError):
    code = ErrorCode.INVALID_CREDENTIALS


class IdempotencyConflict(DomainError):
    code = ErrorCode.IDEMPOTENCY_CONFLICT


class RefundExceedsCaptured(DomainError):
    code = ErrorCode.REFUND_EXCEEDS_CAPTURED


class OverReceipt(DomainError):
    """More units arrived than a purchase order line still expects; nothing is received."""

    code = ErrorCode.OVER_RECEIPT


class NoSuggestion(DomainError):
    """A planning action found nothing suggested for what it was asked to act on (the figures
    do not call for it, or no longer do); nothing is written."""

    code = ErrorCode.NO_SUGGESTION


class Throttled(Exception):
    """A caller went past a limit that protects everyone else; nothing was done. Not a domain
    failure of the command: the same request succeeds after ``retry_after`` seconds."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after
