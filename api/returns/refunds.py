"""Refunds: always to the order's own payment, never more than captured, once per key.

The ceiling is one conditional UPDATE of the payment (refunded + amount <= captured) under its
row lock, so refunds racing each other can never together exceed what was captured.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from api import validation
from api.db import UnitOfWork
from api.dbtypes import utcnow
from api.errors import InvalidInput
from api.idempotency import service as idempotency
from api.orders import pricing
from api.orders.changes import lock_order
from api.orders.models import Order, order_number
from api.payments import books, calls
from api.payments import rules as payment_rules
from api.payments.calls import ProviderCall
from api.payments.models import CallKind, Payment
from api.payments.provider import PaymentProvider
from api.returns.events import RefundIssued
from api.returns.models import Refund, Return
from api.returns.rules import RETURN
from api.returns.service import lock_return, returned_goods
from api.returns.statuses import ReturnStatus
from api.writes import insert_row


async def refund_return(
    uow: UnitOfWork,
    payments: PaymentProvider,
    *,
    return_id: int,
    include_shipping: bool = False,
    restocking_fee: int = 0,
    idempotency_key: str | None = None,
) -> Refund:
    """Refunds what came back: the units received (not those missing), with their tax, the
    shipping charge when asked, less a restocking fee."""
    restocking_fee = validation.money(restocking_fee, "restockingFee", minimum=0)
    found = await lock_return(uow, return_id)
    request = {"returnId": return_id, "shipping": include_shipping, "fee": restocking_fee}
    if idempotency_key is not None and (first := await _first(uow, idempotency_key, request)):
        return first
    RETURN.check(found, ReturnStatus.REFUNDED, return_id, doing="refunded")
    order = await lock_order(uow, found.order_id)
    if include_shipping:
        await _refuse_shipping_twice(uow, found.order_id)
    goods = await returned_goods(uow, return_id, found.order_id)
    shipping = order.shipping_total if include_shipping else 0
    amount = goods + shipping + pricing.tax_on(goods + shipping, order.ship_country)
    amount -= restocking_fee
    if amount <= 0:
        raise InvalidInput("nothing is left to refund", field=["restockingFee"])
    terms = RefundTerms(f"return {return_id}", return_id, restocking_fee, include_shipping)
    refund = await _refund(
        uow,
        payments,
        order,
        amount,
        terms,
        call_key=f"refund:return:{return_id}",
        idempotency_key=idempotency_key,
    )
    mark_refunded(found)
    await uow.commit()
    return refund


async def _refuse_shipping_twice(uow: UnitOfWork, order_id: int) -> None:
    """Under the order's lock, so two returns refunded side by side cannot both give it back."""
    earlier = (
        await uow.session.execute(
            select(col(Refund.return_id)).where(
                col(Refund.order_id) == order_id, col(Refund.includes_shipping)
            )
        )
    ).first()
    if earlier is not None:
        raise InvalidInput(
            f"the shipping charge was refunded already, with return {earlier.return_id}",
            field=["includeShipping"],
        )


def mark_refunded(found: Return) -> None:
    RETURN.move(found, ReturnStatus.REFUNDED, found.id)
    found.version += 1
    found.updated_at = utcnow()


async def issue_refund(
    uow: UnitOfWork,
    payments: PaymentProvider,
    *,
    order_id: int,
    amount: int,
    reason: str,
    idempotency_key: str | None = None,
) -> Refund:
    """A refund without a return: goodwill, a price adjustment, a partial refund."""
    amount = validation.money(amount, "amount")
    reason = validation.text(reason, "reason")
    order = await lock_order(uow, order_id)
    request = {"orderId": order_id, "amount": amount, "reason": reason}
    if idempotency_key is not None and (first := await _first(uow, idempotency_key, request)):
        return first
    # Keyed by the caller's idempotency key, a retry refunds nothing more; without one
    # every call is a refund of its own.
    call_key = f"refund:order:{order_id}:{uow.actor}:{idempotency_key or uuid.uuid4().hex}"
    refund = await _refund(
        uow,
        payments,
        order,
        amount,
        RefundTerms(reason),
        call_key=call_key,
        idempotency_key=idempotency_key,
    )
    await uow.commit()
    return refund


async def _first(uow: UnitOfWork, key: str, request: Mapping[str, object]) -> Refund | None:
    """The refund this key already made, if it made one (the same request again)."""
    claimed = await idempotency.claim(uow, key=key, operation="refund", request=request)
    if claimed.replay is None or "refundId" not in claimed.replay:
        return None
    first = await uow.session.get(Refund, claimed.replay["refundId"])
    await uow.commit()
    return first


@dataclass(frozen=True)
class RefundTerms:
    """What a refund is for, as its payment call keeps it for the reconciler."""

    reason: str
    return_id: int | None = None
    restocking_fee: int = 0
    includes_shipping: bool = False

    def as_request(self) -> dict[str, object]:
        return {
            "reason": self.reason,
            "returnId": self.return_id,
            "restockingFee": self.restocking_fee,
            "includesShipping": self.includes_shipping,
        }

    @classmethod
    def of(cls, request: Mapping[str, Any]) -> RefundTerms:
        return cls(
            request["reason"],
            request.get("returnId"),
            request.get("restockingFee", 0),
            request.get("includesShipping", False),
        )


async def record_refund(
    uow: UnitOfWork,
    order: Order,
    payment: Payment,
    amount: int,
    reference: str,
    terms: RefundTerms,
) -> Refund:
    """A refund the provider made, on the books: its row, its transaction, the order's
    payment status and its event (the payment's refunded amount is already reserved)."""
    assert order.id is not None
    now = utcnow()
    refund = Refund(
        order_id=order.id,
        return_id=terms.return_id,
        amount=amount,
        restocking_fee=terms.restocking_fee,
        includes_shipping=terms.includes_shipping,
        reason=terms.reason,
        provider_reference=reference,
        created_by=uow.actor,
        created_at=now,
    )
    await insert_row(uow.session, refund)
    books.refunded(uow, payment, amount, reference, now)
    order.payment_status = payment_rules.status_after_refund(books.amounts_of(payment))
    order.version += 1
    order.updated_at = now
    assert refund.id is not None
    uow.record(
        RefundIssued(
            order_id=order.id,
            number=order_number(order.id),
            refund_id=refund.id,
            return_id=terms.return_id,
            amount=amount,
            refunded=payment.amount_refunded,
            captured=payment.amount_captured,
        )
    )
    return refund


async def _refund(
    uow: UnitOfWork,
    payments: PaymentProvider,
    order: Order,
    amount: int,
    terms: RefundTerms,
    *,
    call_key: str,
    idempotency_key: str | None = None,
) -> Refund:
    """Refunds ``amount`` to the order's payment through a payment call under ``call_key``
    (``api.payments.calls``): a retry of the same command refunds nothing more."""
    assert order.id is not None
    payment = await books.reserve_refund(uow, order.id, amount)
    reference = await calls.make_and_settle(
        uow,
        payments,
        ProviderCall(
            CallKind.REFUND,
            call_key,
            amount,
            payment.currency,
            order_id=order.id,
            authorization_reference=payment.authorization_reference,
            request=terms.as_request(),
        ),
    )
    refund = await record_refund(uow, order, payment, amount, reference, terms)
    if idempotency_key is not None:
        await idempotency.remember(uow, key=idempotency_key, response={"refundId": refund.id})
    return refund


async def refund_difference(
    uow: UnitOfWork, payments: PaymentProvider, *, order_id: int, amount: int, return_id: int
) -> Refund:
    """Gives back what returned goods were worth beyond the exchange that replaced them."""
    order = await lock_order(uow, order_id)
    refund = await _refund(
        uow,
        payments,
        order,
        amount,
        RefundTerms(f"exchange of return {return_id}", return_id),
        call_key=f"refund:exchange:{return_id}",
    )
    await uow.commit()
    return refund
