"""Pure payment rules: what of an order's total its payment must bring, beside any credit."""

from __future__ import annotations

from api.errors import InvalidInput
from api.lifecycle import Lifecycle
from api.payments.statuses import CallStatus

CALL = Lifecycle(
    "payment provider call",
    "callId",
    {
        CallStatus.PENDING: frozenset(
            {CallStatus.SUCCEEDED, CallStatus.FAILED, CallStatus.RECONCILED, CallStatus.COMPENSATED}
        ),
        CallStatus.SUCCEEDED: frozenset(),
        CallStatus.FAILED: frozenset(),
        CallStatus.RECONCILED: frozenset(),
        CallStatus.COMPENSATED: frozenset(),
    },
    # A call undone at the provider before its row was kept is written COMPENSATED at once.
    initial=frozenset({CallStatus.PENDING, CallStatus.COMPENSATED}),
)


def payable(total: int, credited: int) -> int:
    """What the provider is asked for: the total less the part an exchanged return pays."""
    return max(total - credited, 0)


def is_paid(total: int, captured: int, credited: int) -> bool:
    return captured + credited >= total


def capture_share(due: int, total: int, credited: int) -> int:
    """What a shipment worth ``due`` of the order's ``total`` captures when ``credited`` of
    the total is paid by credit: its share of the payable part, so that credit is spent across
    shipments as the goods leave (the last shipment takes whatever is left)."""
    if credited <= 0 or total <= 0:
        return due
    return due * payable(total, credited) // total


def require_credit_covered(total: int, credited: int, order_number: str) -> None:
    """An exchange order keeps its total at or above its credit: the returned goods' value
    would otherwise be lost. Cancelling the whole order gives the credit back to its return."""
    if total < credited:
        raise InvalidInput(
            f"order {order_number} is paid {credited} by its exchanged return's credit: "
            f"a total of {total} would lose part of it (cancel the whole order to give the "
            "return back for a refund or another exchange)",
            field=["lines"],
        )
