"""Pure return rules: the order's return status from its returns and lines."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from api.returns.statuses import ReturnStatus

IN_PROGRESS = frozenset(
    {ReturnStatus.REQUESTED, ReturnStatus.APPROVED, ReturnStatus.RECEIVED, ReturnStatus.INSPECTED}
)


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
