"""A payment's books: the one writer of its amounts and its transactions.

Each function moves the payment's amounts under the rules of ``rules.Amounts`` (invariant 5:
captured ≤ authorised, refunded ≤ captured) and writes the transaction that records the move,
together, in the caller's unit of work. What the order's payment status becomes is
``rules.status_after_*``; the caller sets it on the order it holds.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlmodel import col

from api.db import UnitOfWork
from api.payments.models import Payment, PaymentTransaction
from api.payments.provider import Authorization
from api.payments.rules import Amounts
from api.payments.statuses import TransactionKind


def amounts_of(payment: Payment) -> Amounts:
    return Amounts(
        payment.amount_authorized,
        payment.amount_captured,
        payment.amount_refunded,
        payment.amount_credited,
    )


def transaction(
    payment_id: int, kind: TransactionKind, amount: int, reference: str | None, now: datetime
) -> PaymentTransaction:
    return PaymentTransaction(
        payment_id=payment_id,
        kind=kind,
        amount=amount,
        succeeded=True,
        provider_reference=reference,
        created_at=now,
    )


def authorization_transaction(authorization: Authorization, now: datetime) -> PaymentTransaction:
    """A new order's authorisation, written with its payment (whose id it takes then)."""
    return transaction(
        0, TransactionKind.AUTHORIZE, authorization.amount, authorization.reference, now
    )


def _record(
    uow: UnitOfWork,
    payment: Payment,
    kind: TransactionKind,
    amount: int,
    reference: str | None,
    now: datetime,
) -> None:
    assert payment.id is not None
    uow.session.add(transaction(payment.id, kind, amount, reference, now))


def capture(uow: UnitOfWork, payment: Payment, amount: int, reference: str, now: datetime) -> None:
    payment.amount_captured = amounts_of(payment).capture(amount).captured
    _record(uow, payment, TransactionKind.CAPTURE, amount, reference, now)


def reauthorize(
    uow: UnitOfWork, payment: Payment, authorized: int, reference: str | None, now: datetime
) -> None:
    """The hold moved to ``authorized``: raised (an AUTHORIZE of the difference) or lowered
    (a VOID of it)."""
    difference = authorized - payment.amount_authorized
    payment.amount_authorized = amounts_of(payment).reauthorize(authorized).authorized
    kind = TransactionKind.AUTHORIZE if difference > 0 else TransactionKind.VOID
    _record(uow, payment, kind, abs(difference), reference, now)


def void(uow: UnitOfWork, payment: Payment, now: datetime) -> None:
    """What is authorised and not captured is released: the order was cancelled."""
    payment.voided = True
    _record(
        uow,
        payment,
        TransactionKind.VOID,
        payment.amount_authorized,
        payment.authorization_reference,
        now,
    )


async def reserve_refund(uow: UnitOfWork, order_id: int, amount: int) -> Payment:
    """The order's payment with ``amount`` more refunded, or RefundExceedsCaptured: one
    conditional UPDATE, so two refunds side by side never give back more than was captured."""
    payment = (
        await uow.session.execute(
            update(Payment)
            .where(
                col(Payment.order_id) == order_id,
                col(Payment.amount_refunded) + amount <= col(Payment.amount_captured),
            )
            .values(amount_refunded=col(Payment.amount_refunded) + amount)
            .returning(Payment)
            .execution_options(populate_existing=True, synchronize_session=False)
        )
    ).scalar_one_or_none()
    if payment is None:
        current = (
            await uow.session.execute(select(Payment).where(col(Payment.order_id) == order_id))
        ).scalar_one()
        amounts_of(current).refund(amount)  # refuses, naming what is refundable
        raise AssertionError("the UPDATE refused a refund the rules allow")
    return payment


def refunded(uow: UnitOfWork, payment: Payment, amount: int, reference: str, now: datetime) -> None:
    """A refund the provider made, whose amount ``reserve_refund`` already counted."""
    _record(uow, payment, TransactionKind.REFUND, amount, reference, now)
