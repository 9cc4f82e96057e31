"""How failures reach clients: userErrors for domain failures, coded GraphQL errors for the rest."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from starlette.responses import Response
from strawberry.extensions import FieldExtension
from strawberry.types.field import StrawberryField

from api.errors import DomainError
from api.errors import ErrorCode as DomainErrorCode

ErrorCode = DomainErrorCode
strawberry.enum(ErrorCode, name="ErrorCode")


class ClientError(GraphQLError):
    """A request-level failure the client caused; shown as is, with ``extensions.code``."""

    code = "BAD_USER_INPUT"

    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": self.code})


class Unauthenticated(ClientError):
    code = "UNAUTHENTICATED"


class Forbidden(ClientError):
    code = "FORBIDDEN"


def answer_throttled(context: Any, retry_after: int) -> None:
    """Over HTTP (not a WebSocket), a throttled request answers 429 with ``Retry-After``."""
    response = getattr(context, "response", None)
    if isinstance(response, Response):
        response.status_code = 429
        response.headers["retry-after"] = str(retry_after)


@strawberry.interface(description="A failure of a mutation that the caller can act on.")
class UserError:
    field: list[str] | None = strawberry.field(
        description="Path to the input field at fault, when there is one."
    )
    message: str
    code: ErrorCode


@strawberry.type
class InvalidInputError(UserError):
    pass


@strawberry.type
class InvalidIdError(UserError):
    pass


@strawberry.type
class NotFoundError(UserError):
    pass


@strawberry.type
class AlreadyExistsError(UserError):
    pass


@strawberry.type
class IllegalTransitionError(UserError):
    pass


@strawberry.type
class InvalidCredentialsError(UserError):
    pass


@strawberry.type
class IdempotencyConflictError(UserError):
    pass


@strawberry.type
class PaymentDeclinedError(UserError):
    reason: str


@strawberry.type
class PaymentFailedError(UserError):
    reason: str


@strawberry.type
class InsufficientStockError(UserError):
    sku: str
    requested: int
    available: int


@strawberry.type
class RefundExceedsCapturedError(UserError):
    requested: int
    refundable: int = strawberry.field(description="Captured and not yet refunded, minor units.")


@strawberry.type
class StaleVersionError(UserError):
    expected: int
    actual: int


@strawberry.type
class OverReceiptError(UserError):
    outstanding: int = strawberry.field(description="Units the purchase order line still expects.")


@strawberry.type
class NoSuggestionError(UserError):
    pass


_ERROR_TYPES: dict[DomainErrorCode, type[Any]] = {
    DomainErrorCode.INVALID_INPUT: InvalidInputError,
    DomainErrorCode.INVALID_ID: InvalidIdError,
    DomainErrorCode.NOT_FOUND: NotFoundError,
    DomainErrorCode.ALREADY_EXISTS: AlreadyExistsError,
    DomainErrorCode.ILLEGAL_TRANSITION: IllegalTransitionError,
    DomainErrorCode.INVALID_CREDENTIALS: InvalidCredentialsError,
    DomainErrorCode.IDEMPOTENCY_CONFLICT: IdempotencyConflictError,
    DomainErrorCode.INSUFFICIENT_STOCK: InsufficientStockError,
    DomainErrorCode.STALE_VERSION: StaleVersionError,
    DomainErrorCode.PAYMENT_DECLINED: PaymentDeclinedError,
    DomainErrorCode.PAYMENT_FAILED: PaymentFailedError,
    DomainErrorCode.REFUND_EXCEEDS_CAPTURED: RefundExceedsCapturedError,
    DomainErrorCode.OVER_RECEIPT: OverReceiptError,
    DomainErrorCode.NO_SUGGESTION: NoSuggestionError,
}
ERROR_TYPES = list(dict.fromkeys(_ERROR_TYPES.values()))


def user_error(error: DomainError) -> UserError:
    error_type = _ERROR_TYPES[error.code]
    extra = {name: error.data[name] for name in error_type.__annotations__ if name in error.data}
    result: UserError = error_type(
        field=error.field, message=error.message, code=error.code, **extra
    )
    return result


class DomainErrorsAsUserErrors(FieldExtension):
    """Turns a mutation's DomainError into its payload's userErrors: the one place it is done."""

    def apply(self, field: StrawberryField) -> None:
        self.payload_type: Any = field.type

    async def resolve_async(self, next_: Any, source: Any, info: Any, **kwargs: Any) -> Any:
        try:
            return await next_(source, info, **kwargs)
        except DomainError as error:
            failures = [error, *error.causes]
            return self.payload_type(user_errors=[user_error(failure) for failure in failures])
