"""Executing one subscription event once for all the subscribers that would get the same answer.

A firehose event reaches every subscriber of the firehose. Those that subscribed with the same
operation document (the parser cache hands out one document per query text), the same
variables and the same permissions would each execute the same selection on the same payload
and get the same result; the first one's result is handed to the others. Only payloads made to
be shared (``shared_payload``) are considered: objects built once per event, never changed.
"""

from __future__ import annotations

import json
from typing import Any

from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

RECENT_PAYLOADS = 10_000
_shareable: dict[int, tuple[Any, dict[tuple[Any, ...], Any]]] = {}
"""By the payload's identity (GraphQL objects compare by value and cannot be hashed): the
payload itself, keeping that identity valid, and the results executed on it."""


def shared_payload(payload: Any) -> Any:
    """Marks ``payload`` as one object handed unchanged to every subscriber of its event."""
    if len(_shareable) >= RECENT_PAYLOADS:
        _shareable.clear()
    _shareable[id(payload)] = (payload, {})
    return payload


class SharedEventExecution(StrawberryGraphQLCoreExecutionContext):
    def execute_operation(self, serially: bool | None = None) -> Any:
        entry = _shareable.get(id(self.root_value))
        if entry is None or entry[0] is not self.root_value:
            return super().execute_operation(serially)
        results = entry[1]
        principal = getattr(self.context_value, "principal", None)
        key = (
            id(self.operation),
            json.dumps(self.variable_values.coerced, sort_keys=True, default=str),
            getattr(principal, "permissions", None),
        )
        if key not in results:
            result = super().execute_operation(serially)
            if self.is_awaitable(result):
                return result  # only results complete on the spot are shared
            results[key] = result
        return results[key]
