"""Pure payment rules: a payment's amounts and the invariant they keep, its status after
each move, what a shipment captures, and what of an order's total credit pays.

Invariant 5: captured never exceeds authorised, refunded never exceeds captured. ``Amounts``
refuses every move that would break it (the database's CHECK constraints refuse it again).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from api.errors import InvalidInput, RefundExceedsCaptured
from api.lifecycle import Lifecycle
from api.payments.statuses import CallStatus, PaymentStatus

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


@dataclass(frozen=True)
class Amounts:
    """A payment's running amounts, in minor units of its currency."""

    authorized: int
    captured: int = 0
    refunded: int = 0
    credited: int = 0

    def capture(self, amount: int) -> Amounts:
        _positive(amount)
        if self.captured + amount > self.authorized:
            raise InvalidInput(
                f"capturing {amount} would take {self.captured + amount} of the "
                f"{self.authorized} authorised",
                field=["amount"],
            )
        return replace(self, captured=self.captured + amount)

    def refund(self, amount: int) -> Amounts:
        _positive(amount)
        if self.refunded + amount > self.captured:
            refundable = self.captured - self.refunded
            raise RefundExceedsCaptured(
                f"{amount} asked, {refundable} captured and not yet refunded",
                field=["amount"],
                requested=amount,
                refundable=refundable,
            )
        return replace(self, refunded=self.refunded + amount)

    def reauthorize(self, authorized: int) -> Amounts:
        """The hold raised or lowered to ``authorized`` (an edited order's new total)."""
        if authorized < self.captured:
            raise InvalidInput(
                f"an authorisation of {authorized} is less than the {self.captured} captured",
                field=["amount"],
            )
        return replace(self, authorized=authorized)


def _positive(amount: int) -> None:
    if amount <= 0:
        raise InvalidInput(f"an amount of {amount} moves no money", field=["amount"])


def status_after_capture(total: int, amounts: Amounts) -> PaymentStatus:
    """PAID once captures and credit cover the total (credit alone may)."""
    if is_paid(total, amounts.captured, amounts.credited):
        return PaymentStatus.PAID
    return PaymentStatus.PARTIALLY_PAID


def status_after_refund(amounts: Amounts) -> PaymentStatus:
    if amounts.refunded >= amounts.captured:
        return PaymentStatus.REFUNDED
    return PaymentStatus.PARTIALLY_REFUNDED


def shipment_capture(due: int, total: int, amounts: Amounts, *, last: bool) -> int:
    """What a shipment whose goods (with their shipping and tax) are worth ``due`` captures:
    its share of the payable part, never more than the authorisation has left; the last
    shipment captures whatever of the payable total is left, so rounding never strands a
    cent."""
    left = min(payable(total, amounts.credited), amounts.authorized) - amounts.captured
    if last:
        return max(left, 0)
    return max(min(capture_share(due, total, amounts.credited), left), 0)
