"""Pure return rules: a return's lifecycle, and the order's return status from its returns."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from api.lifecycle import Lifecycle
from api.returns.statuses import ReturnStatus

R = ReturnStatus
RETURN = Lifecycle(
    "return",
    "returnId",
    {
        R.REQUESTED: frozenset({R.APPROVED, R.REJECTED}),
        R.APPROVED: frozenset({R.INSPECTED}),
        R.REJECTED: frozenset({R.CLOSED}),
        R.INSPECTED: frozenset({R.REFUNDED, R.EXCHANGED, R.CLOSED}),
        R.REFUNDED: frozenset({R.CLOSED}),
        # A cancelled exchange order gives the return its credit back.
        R.EXCHANGED: frozenset({R.INSPECTED, R.CLOSED}),
        R.CLOSED: frozenset(),
        R.RECEIVED: frozenset(),
    },
    initial=frozenset({R.REQUESTED}),
    retired={R.RECEIVED: "receiveReturn inspects in the same step: the return becomes INSPECTED"},
)

IN_PROGRESS = frozenset({ReturnStatus.REQUESTED, ReturnStatus.APPROVED, ReturnStatus.INSPECTED})


class OrderReturnStatus(StrEnum):
    NONE = "NONE"
    IN_PROGRESS = "IN_PROGRESS"
    PARTIALLY_RETURNED = "PARTIALLY_RETURNED"
    RETURNED = "RETURNED"


def order_return_status(
    statuses: Iterable[ReturnStatus], fulfilled: int, returned: int
) -> OrderReturnStatus:
    """IN_PROGRESS while a return is open; else how much of what shipped came back."""
    statuses = list(statuses)
    if any(status in IN_PROGRESS for status in statuses):
        return OrderReturnStatus.IN_PROGRESS
    if returned and returned >= fulfilled:
        return OrderReturnStatus.RETURNED
    if returned:
        return OrderReturnStatus.PARTIALLY_RETURNED
    return OrderReturnStatus.NONE
