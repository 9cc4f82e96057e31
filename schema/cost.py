"""Query cost, computed before execution, and the rate limit it is charged against.

The cost of an operation is the most objects it can return: each object-typed field costs 1
(scalars and enums cost nothing), and a connection field multiplies what its nodes cost by the
page it asks for (`first` or `last`; the largest page when neither is given). A query over
``OMS_MAX_QUERY_COST`` is refused before any resolver runs. Partners (API keys) and anonymous
callers are then charged the cost against a bucket that refills at
``OMS_RATE_LIMIT_POINTS_PER_SECOND`` (or the API key's own rate) and holds ten seconds' worth
(anonymous callers have one bucket per address; on PostgreSQL every worker charges the same
buckets); an empty bucket answers ``THROTTLED`` with HTTP 429 and ``Retry-After``. Staff, who
work through the admin app, are charged nothing. Every answer carries
``extensions.cost.requested``; a charged caller's also ``actual`` and ``throttleStatus``.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Iterator
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    NamedTypeNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    is_leaf_type,
)
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from api.auth import PrincipalKind
from api.ratelimits import Budget, bucket_of
from schema.errors import answer_throttled


def _connection_size(field: FieldNode, variables: dict[str, Any], largest_page: int) -> int | None:
    """The page a connection field asks for; None for fields that are not connections."""
    names = {argument.name.value: argument.value for argument in field.arguments or ()}
    if "first" not in names and "last" not in names:
        return None
    for name in ("first", "last"):
        value = names.get(name)
        if isinstance(value, IntValueNode):
            return int(value.value)
        if isinstance(value, VariableNode) and isinstance(variables.get(value.name.value), int):
            return int(variables[value.name.value])
    return largest_page


def _is_connection(type_: Any) -> bool:
    named = get_named_type(type_)
    return isinstance(named, GraphQLObjectType) and "pageInfo" in named.fields


def _listed_ids(field: FieldNode, variables: dict[str, Any]) -> int | None:
    """How many objects a field asks for by ``ids`` (``nodes``); None without the argument."""
    for argument in field.arguments or ():
        if argument.name.value != "ids":
            continue
        value = argument.value
        if isinstance(value, ListValueNode):
            return len(value.values)
        if isinstance(value, VariableNode):
            given = variables.get(value.name.value)
            return len(given) if isinstance(given, list) else 1
        return 1
    return None


class CostCalculator:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: dict[str, Any],
        largest_page: int,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.largest_page = largest_page
        self.oversized: list[str] = []
        """Connection fields that ask for more than the largest page."""

    def selection_cost(self, parent: Any, selection_set: SelectionSetNode | None) -> int:
        """What the selection costs on the most expensive type the parent may be: a field
        of an interface or union costs what its fragments select on that type."""
        if selection_set is None:
            return 0
        if isinstance(parent, (GraphQLInterfaceType, GraphQLUnionType)):
            possible = self.schema.get_possible_types(parent)
            return max((self._cost_on(kind, selection_set) for kind in possible), default=0)
        return self._cost_on(parent, selection_set)

    def _cost_on(self, parent: GraphQLObjectType, selection_set: SelectionSetNode) -> int:
        return sum(self._field_cost(parent, field) for field in self._fields(parent, selection_set))

    def _fields(
        self, parent: GraphQLObjectType, selection_set: SelectionSetNode
    ) -> Iterator[FieldNode]:
        """The fields that would run on an object of type ``parent``."""
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                yield selection
            elif isinstance(selection, InlineFragmentNode):
                if self._applies(parent, selection.type_condition):
                    yield from self._fields(parent, selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None and self._applies(parent, fragment.type_condition):
                    yield from self._fields(parent, fragment.selection_set)

    def _applies(self, parent: GraphQLObjectType, condition: NamedTypeNode | None) -> bool:
        if condition is None:
            return True
        named = self.schema.get_type(condition.name.value)
        if named is parent:
            return True
        if isinstance(named, (GraphQLInterfaceType, GraphQLUnionType)):
            return self.schema.is_sub_type(named, parent)
        return False

    def _field_cost(self, parent: GraphQLObjectType, field: FieldNode) -> int:
        name = field.name.value
        definition = parent.fields.get(name)
        if name.startswith("__") or definition is None:
            return 0
        named = get_named_type(definition.type)
        if is_leaf_type(named):
            return 0
        children = self.selection_cost(named, field.selection_set)
        if _is_connection(definition.type):
            size = _connection_size(field, self.variables, self.largest_page)
            if size is not None and not 0 <= size <= self.largest_page:
                self.oversized.append(name)
            page = min(size if size is not None else self.largest_page, self.largest_page)
            return 2 + page * children
        listed = _listed_ids(field, self.variables)
        if listed is not None:
            return 1 + listed * (1 + children)
        return 1 + children


def costing(
    schema: GraphQLSchema,
    document: Any,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    largest_page: int,
) -> tuple[int, list[str]]:
    """The operation's cost, and the connection fields asking for more than the largest page."""
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    operations = [
        definition
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
        and (
            operation_name is None or (definition.name and definition.name.value == operation_name)
        )
    ]
    if not operations:
        return 0, []
    operation = operations[0]
    root = schema.get_root_type(operation.operation)
    calculator = CostCalculator(schema, fragments, variables or {}, largest_page)
    return calculator.selection_cost(root, operation.selection_set), calculator.oversized


def _named(operation: OperationDefinitionNode, name: str) -> bool:
    return operation.name is not None and operation.name.value == name


def returned_cost(data: Any) -> int:
    """What the answer actually holds: one point per object returned."""
    if isinstance(data, dict):
        return 1 + sum(returned_cost(value) for value in data.values())
    if isinstance(data, list):
        return sum(returned_cost(item) for item in data)
    return 0


class QueryCost(SchemaExtension):
    requested = 0
    status: dict[str, Any] | None = None

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context.context
        settings = context.settings
        document = self.execution_context.graphql_document
        oversized: list[str] = []
        if document is not None:
            self.requested, oversized = costing(
                self.execution_context.schema._schema,
                document,
                self.execution_context.operation_name,
                self.execution_context.variables,
                settings.page_size_max,
            )
        if oversized:
            self._refuse(
                f"first and last must be between 0 and {settings.page_size_max} "
                f"(asked of {', '.join(sorted(set(oversized)))})",
                "BAD_USER_INPUT",
            )
        elif self.requested > settings.max_query_cost:
            self._refuse(
                f"This query costs {self.requested} points; the most one query may cost is "
                f"{settings.max_query_cost}. Ask for smaller pages or fewer fields.",
                "MAX_COST_EXCEEDED",
            )
        elif context.principal.kind is not PrincipalKind.STAFF:
            rate = context.principal.points_per_second or settings.rate_limit_points_per_second
            budget = Budget.per_second(rate)
            allowed, left, wait = await context.rate_limits.charge(
                bucket_of(context.principal, context.client_host), self.requested, budget
            )
            self.status = {
                "maximumAvailable": int(budget.capacity),
                "currentlyAvailable": left,
                "restoreRate": rate,
            }
            if not allowed:
                retry_after = math.ceil(wait)
                self._refuse(
                    f"Throttled: this query costs {self.requested} points and {left} are "
                    f"available; retry in {retry_after} s.",
                    "THROTTLED",
                )
                answer_throttled(context, retry_after)
        yield

    def _refuse(self, message: str, code: str) -> None:
        refusal = GraphQLError(message, extensions={"code": code})
        if self.execution_context.operation_type is OperationType.SUBSCRIPTION:
            # A subscription starts whatever result is set here; raised, the error ends it.
            raise refusal
        self.execution_context.result = ExecutionResult(data=None, errors=[refusal])

    def get_results(self) -> dict[str, Any]:
        if self.execution_context.graphql_document is None:
            return {}  # refused before parsing or validating: nothing was costed
        cost: dict[str, Any] = {"requested": self.requested}
        if self.status is not None:  # a charged caller: what the answer really held, too
            data = getattr(self.execution_context.result, "data", None)
            cost["actual"] = returned_cost(data) - 1 if isinstance(data, dict) else 0
            cost["throttleStatus"] = self.status
        return {"cost": cost}
