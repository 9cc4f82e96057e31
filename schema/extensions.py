"""Schema extensions: masking of unexpected errors."""

from __future__ import annotations

import logging

from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from api.errors import DomainError, ErrorCode, Throttled
from schema.errors import answer_throttled

logger = logging.getLogger("oms.graphql")


def _is_unexpected(error: GraphQLError) -> bool:
    # Errors raised as GraphQLError (client errors, permissions), domain errors and those with
    # no original exception (syntax, validation, variable coercion) are meant for the client.
    original = error.original_error
    return original is not None and not isinstance(original, (GraphQLError, DomainError, Throttled))


# Generic GraphQL clients classify top-level errors by the standard code; the domain's own
# code, which userErrors carry, stays beside it as the reason.
_BAD_USER_INPUT = {ErrorCode.INVALID_INPUT, ErrorCode.INVALID_ID}


def _coded(error: GraphQLError, context: object) -> GraphQLError:
    """A domain error reaching the top level (from a query, which has no userErrors): its
    message, with its code and field as extensions (bad arguments as BAD_USER_INPUT); a
    throttled command, THROTTLED."""
    original = error.original_error
    extensions: dict[str, object]
    if isinstance(original, Throttled):
        answer_throttled(context, original.retry_after)
        extensions = {"code": "THROTTLED", "retryAfter": original.retry_after}
    elif isinstance(original, DomainError):
        if original.code in _BAD_USER_INPUT:
            extensions = {"code": "BAD_USER_INPUT", "reason": original.code.value}
        else:
            extensions = {"code": original.code.value}
        if original.field:
            extensions["field"] = original.field
    else:
        return error
    return GraphQLError(
        original.message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions=extensions,
    )


class MaskUnexpectedErrors(MaskErrors):
    """Shows clients a request id instead of an internal error, and logs the real one with it."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=_is_unexpected)

    def _process_result(self, result: object) -> None:
        # The base class asks isinstance() of a runtime-checkable Protocol, which costs more
        # than executing a small subscription event; an attribute check says the same.
        errors = getattr(result, "errors", None)
        if errors:
            context = self.execution_context.context
            result.errors = [  # type: ignore[attr-defined]
                _coded(error, context) for error in self._process_errors(errors)
            ]

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        context = self.execution_context.context
        request_id = getattr(context, "request_id", "-")
        logger.error(
            "unexpected error in %s (request %s)",
            ".".join(str(part) for part in error.path or []),
            request_id,
            exc_info=error.original_error,
        )
        return GraphQLError(
            message=f"Unexpected error. Quote request id {request_id} when reporting it.",
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
        )
