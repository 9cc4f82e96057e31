"""Published enums whose values a lifecycle retired: kept for clients, marked deprecated."""

from __future__ import annotations

from typing import Any

from api.lifecycle import Lifecycle


def deprecate_retired(lifecycle: Lifecycle[Any]) -> None:
    """Deprecates, in the status enum already published with ``strawberry.enum``, each status
    the lifecycle no longer enters, giving what took its place."""
    enum = type(next(iter(lifecycle.transitions)))
    reasons = {status.name: reason for status, reason in lifecycle.retired.items()}
    for value in enum.__strawberry_definition__.values:
        if value.name in reasons:
            value.deprecation_reason = reasons[value.name]
