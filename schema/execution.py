"""How the schema's operations execute: scalar fields read straight off their object, and one
subscription event executed once for all the subscribers that would get the same answer.

Most fields of a page only read a scalar or enum attribute of their object (an order's number,
a line's quantity). graphql-core builds a resolve info, calls the resolver and completes the
value through several checks for each of them; reading the attribute and coercing it directly
returns the same value for about a tenth of a page's CPU. Anything unusual (a null, a value
that does not coerce, an error) takes graphql-core's own path, which reports it as it always did.

A firehose event reaches every subscriber of the firehose. Those that subscribed with the same
operation document (the parser cache hands out one document per query text), the same
variables and the same permissions would each execute the same selection on the same payload
and get the same result; the first one's result is handed to the others. Only payloads made to
be shared (``shared_payload``) are considered: objects built once per event, never changed.

Both reach into graphql-core's and Strawberry's execution internals, so they run only on the
versions they were written for (``require_written_for_versions``) and can be switched off
(``OMS_FAST_EXECUTION=false``), which the test suite compares them against.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib.metadata import version
from typing import Any

from graphql import GraphQLObjectType
from graphql.execution.executor import FieldDetailsList
from graphql.pyutils import Path, Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

WRITTEN_FOR_VERSIONS = {"graphql-core": "3.3.2", "strawberry-graphql": "0.341.2"}


def require_written_for_versions(written_for: Mapping[str, str] = WRITTEN_FOR_VERSIONS) -> None:
    """Refuses to run the fast path on library versions it was not written for."""
    installed = {name: version(name) for name in written_for}
    if installed != dict(written_for):
        raise RuntimeError(
            f"the fast execution path was written for {dict(written_for)}, not {installed}: "
            "check it against the new versions (tests/graphql/test_fast_execution.py) and update "
            "WRITTEN_FOR_VERSIONS, or run with OMS_FAST_EXECUTION=false"
        )


LEAF_ATTRIBUTES = "oms.leaf_attributes"
"""The key, in the graphql-core schema's extensions, of the fields that only read a scalar or
enum attribute: (type name, field name) -> (attribute, the type's output coercion). Listed by
``schema.relations.resolve_directly``."""
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


class LeafAttributeExecution(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Middleware wraps every resolver; with any, every field takes the full path.
        middleware = self.middleware_manager.middlewares if self.middleware_manager else ()
        self._leaf_attributes: dict[tuple[str, str], tuple[str, Any]] = (
            {} if middleware else self.schema.extensions.get(LEAF_ATTRIBUTES, {})
        )

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        leaf = self._leaf_attributes.get((parent_type.name, field_details_list[0].node.name.value))
        if leaf is not None:
            attribute, coerce = leaf
            try:
                value = getattr(source, attribute)
                coerced = None if value is None else coerce(value)
            except Exception:
                coerced = None  # graphql-core's path raises it again, located at this field
            if coerced is not None and coerced is not Undefined:
                return coerced
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )


class SharedEventExecution(LeafAttributeExecution):
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
