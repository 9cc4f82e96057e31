"""Every root field says who may use it: a field added without a permission fails here."""

from __future__ import annotations

from strawberry.permission import PermissionExtension

from schema.build import Mutation, Query
from schema.events.subscriptions import Subscription


def _unguarded(root: type) -> list[str]:
    definition = root.__strawberry_definition__  # type: ignore[attr-defined]
    return [
        field.python_name
        for field in definition.fields
        if not any(isinstance(extension, PermissionExtension) for extension in field.extensions)
    ]


def test_every_query_and_mutation_checks_a_permission() -> None:
    assert _unguarded(Query) == []
    assert _unguarded(Mutation) == []


def test_subscriptions_check_theirs_in_the_resolver() -> None:
    """A subscription decides by its arguments (a tracking token, or a permission), so each one
    checks in its resolver; the served tests refuse each without credentials."""
    names = {field.python_name for field in Subscription.__strawberry_definition__.fields}  # type: ignore[attr-defined]
    assert names == {"order_updated", "shipment_updated", "inventory_changed", "order_events"}
