"""Refunds: always to the order's own payment, never more than captured, once per key.

The ceiling is one conditional UPDATE of the payment (refunded + amount <= captured) under its
row lock, so refunds racing each other can never together exceed what was captured.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select, update
from sqlmodel import col

from api import validation
from api.db import UnitOfWork
from api.dbtypes import utcnow
from api.errors import IllegalTransition, InvalidInput, RefundExceedsCaptured
from api.events.models import EventType
from api.idempotency import service as idempotency
from api.orders import pricing
from api.orders.changes import lock_order
from api.orders.models import Order, PaymentStatus, order_number
from api.payments.models import Payment, PaymentTransaction, TransactionKind
from api.payments.provider import PaymentProvider
from api.returns.models import Refund, ReturnStatus
from api.returns.service import lock_return, returned_goods
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
    if ReturnStatus(found.status) is not ReturnStatus.INSPECTED:
        raise IllegalTransition(
            f"return {return_id} is {found.status}: only a received return is refunded",
            field=["returnId"],
            current=found.status,
        )
    order = await lock_order(uow, found.order_id)
    goods = await returned_goods(uow, return_id, found.order_id)
    shipping = order.shipping_total if include_shipping else 0
    amount = goods + shipping + pricing.tax_on(goods + shipping, order.ship_country)
    amount -= restocking_fee
    if amount <= 0:
        raise InvalidInput("nothing is left to refund", field=["restockingFee"])
    refund = await _refund(
        uow,
        payments,
        order,
        amount,
        reason=f"return {return_id}",
        return_id=return_id,
        restocking_fee=restocking_fee,
        includes_shipping=include_shipping,
        idempotency_key=idempotency_key,
    )
    found.status = ReturnStatus.REFUNDED
    found.version += 1
    found.updated_at = utcnow()
    await uow.commit()
    return refund


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
    refund = await _refund(
        uow, payments, order, amount, reason=reason, idempotency_key=idempotency_key
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


async def _refund(
    uow: UnitOfWork,
    payments: PaymentProvider,
    order: Order,
    amount: int,
    *,
    reason: str,
    return_id: int | None = None,
    restocking_fee: int = 0,
    includes_shipping: bool = False,
    idempotency_key: str | None = None,
) -> Refund:
    assert order.id is not None
    payment = (
        await uow.session.execute(
            update(Payment)
            .where(
                col(Payment.order_id) == order.id,
                col(Payment.amount_refunded) + amount <= col(Payment.amount_captured),
            )
            .values(amount_refunded=col(Payment.amount_refunded) + amount)
            .returning(Payment)
            .execution_options(populate_existing=True, synchronize_session=False)
        )
    ).scalar_one_or_none()
    if payment is None:
        current = (
            await uow.session.execute(select(Payment).where(col(Payment.order_id) == order.id))
        ).scalar_one()
        refundable = current.amount_captured - current.amount_refunded
        raise RefundExceedsCaptured(
            f"{amount} asked, {refundable} captured and not yet refunded",
            field=["amount"],
            requested=amount,
            refundable=refundable,
        )
    now = utcnow()
    reference = await payments.refund(reference=payment.authorization_reference, amount=amount)
    refund = Refund(
        order_id=order.id,
        return_id=return_id,
        amount=amount,
        restocking_fee=restocking_fee,
        includes_shipping=includes_shipping,
        reason=reason,
        provider_reference=reference,
        created_by=uow.actor,
        created_at=now,
    )
    await insert_row(uow.session, refund)
    uow.session.add(
        PaymentTransaction(
            payment_id=payment.id,  # type: ignore[arg-type]
            kind=TransactionKind.REFUND,
            amount=amount,
            succeeded=True,
            provider_reference=reference,
            created_at=now,
        )
    )
    order.payment_status = (
        PaymentStatus.REFUNDED
        if payment.amount_refunded >= payment.amount_captured
        else PaymentStatus.PARTIALLY_REFUNDED
    )
    order.version += 1
    order.updated_at = now
    if idempotency_key is not None:
        await idempotency.remember(uow, key=idempotency_key, response={"refundId": refund.id})
    uow.add_event(
        EventType.REFUND_ISSUED,
        aggregate_type="order",
        aggregate_id=order.id,
        payload={
            "number": order_number(order.id),
            "refundId": refund.id,
            "returnId": return_id,
            "amount": amount,
            "refunded": payment.amount_refunded,
            "captured": payment.amount_captured,
        },
    )
    return refund


async def refund_difference(
    uow: UnitOfWork, payments: PaymentProvider, *, order_id: int, amount: int, return_id: int
) -> Refund:
    """Gives back what returned goods were worth beyond the exchange that replaced them."""
    order = await lock_order(uow, order_id)
    refund = await _refund(
        uow, payments, order, amount, reason=f"exchange of return {return_id}", return_id=return_id
    )
    await uow.commit()
    return refund
