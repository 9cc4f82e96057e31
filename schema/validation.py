"""Validation rules of our own, beside graphql-core's and the depth and alias limits."""

from __future__ import annotations

from typing import Any

from graphql import FieldNode, GraphQLError, ValidationContext, ValidationRule

ONCE_PER_REQUEST = frozenset({"login"})
"""Mutations a request may hold once: each login checks a password, which is slow on purpose;
aliased many times over it would let one request guess many passwords and hold a worker."""


class OncePerRequest(ValidationRule):
    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        self.seen: set[str] = set()

    def enter_field(self, node: FieldNode, *_args: Any) -> None:
        name = node.name.value
        if name not in ONCE_PER_REQUEST:
            return
        if self.context.get_parent_type() is not self.context.schema.mutation_type:
            return
        if name in self.seen:
            self.report_error(
                GraphQLError(
                    f"{name} may appear once per request",
                    node,
                    extensions={"code": "BAD_USER_INPUT"},
                )
            )
        self.seen.add(name)
