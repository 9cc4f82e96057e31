"""Finishing payment calls whose commands failed after the provider answered.

A call still PENDING after ``STALE_AFTER`` belongs to a command that will not settle it (every
command finishes in seconds). The reconciler makes the call again under its key, so the
provider answers what it did the first time and moves nothing more, then:

- a capture, a refund or a raised authorisation: money moved or is held, so it goes on the
  books (the payment's amounts, its transaction, a refund's row and its return refunded) with
  an event, the call RECONCILED;
- an authorisation whose order was never written: released (voided), the call COMPENSATED;
- a void (made after its cancellation committed): done again, the call SUCCEEDED;
- a decline: nothing moved, the call FAILED.

Every API process runs it (``api.app``); two finishing one call agree, since each step is
idempotent at the provider and the call's status moves from PENDING once.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlmodel import col

from api.db import Database, UnitOfWork
from api.dbtypes import utcnow
from api.fulfilment.shipping import record_capture
from api.orders.changes import lock_order, payment_of
from api.payments import books
from api.payments.calls import Made, ProviderCall, perform
from api.payments.events import PaymentReconciled
from api.payments.models import CallKind, Payment, PaymentCall
from api.payments.provider import PaymentDeclined, PaymentFailed, PaymentProvider
from api.payments.rules import CALL
from api.payments.statuses import CallStatus
from api.reads import as_records, columns
from api.returns.refunds import RefundTerms, mark_refunded, record_refund
from api.returns.service import lock_return
from api.returns.statuses import ReturnStatus

STALE_AFTER = timedelta(minutes=5)
BATCH = 100
ACTOR = "system:payments"
log = logging.getLogger("oms.payments")


async def reconcile(
    database: Database,
    payments: PaymentProvider,
    *,
    now: datetime | None = None,
    stale_after: timedelta = STALE_AFTER,
) -> int:
    """Finishes the calls left PENDING for longer than ``stale_after``: how many."""
    horizon = (now or utcnow()) - stale_after
    async with database.reader() as reader:
        found = await reader.execute(
            select(*columns(PaymentCall))
            .where(
                col(PaymentCall.status) == CallStatus.PENDING,
                col(PaymentCall.created_at) < horizon,
            )
            .order_by(col(PaymentCall.id))
            .limit(BATCH)
        )
        stale = as_records(found.all(), PaymentCall)
    finished = 0
    for row in stale:
        try:
            finished += await _finish(database, payments, row)
        except PaymentFailed:  # the provider cannot answer now: the next round asks again
            log.warning("payment call %s: the provider could not answer", row.key)
    return finished


async def _finish(database: Database, payments: PaymentProvider, row: PaymentCall) -> int:
    call = ProviderCall.of(row)
    assert row.id is not None
    try:
        made = await perform(payments, call)
    except PaymentDeclined as declined:
        async with database.unit_of_work(ACTOR) as uow:
            moved = await _leave_pending(uow, row.id, CallStatus.FAILED, None)
            await uow.commit()
        log.info("payment call %s: declined (%s)", row.key, declined.data.get("reason"))
        return moved
    async with database.unit_of_work(ACTOR) as uow:
        if call.kind is CallKind.VOID:
            moved = await _leave_pending(uow, row.id, CallStatus.SUCCEEDED, None)
        elif call.kind is CallKind.AUTHORIZE:
            moved = await _authorisation(uow, payments, row, made)
        else:
            moved = await _on_the_books(uow, row, call, made)
        await uow.commit()
    return moved


async def _leave_pending(
    uow: UnitOfWork, call_id: int, status: CallStatus, reference: str | None
) -> int:
    """Moves the call from PENDING; 0 when another process did first."""
    moved = await uow.session.execute(
        update(PaymentCall)
        .where(col(PaymentCall.id) == call_id, col(PaymentCall.status) == CallStatus.PENDING)
        .values(
            **CALL.bulk_move([CallStatus.PENDING], status),
            provider_reference=reference,
            settled_at=utcnow(),
            request=None,
        )
    )
    return int(moved.rowcount)  # type: ignore[attr-defined]


async def _authorisation(
    uow: UnitOfWork, payments: PaymentProvider, row: PaymentCall, made: Made
) -> int:
    assert row.id is not None and made.reference is not None
    ordered = (
        await uow.session.execute(
            select(col(Payment.id)).where(col(Payment.authorization_reference) == made.reference)
        )
    ).first()
    if ordered is not None:
        return await _leave_pending(uow, row.id, CallStatus.SUCCEEDED, made.reference)
    await payments.void(reference=made.reference, idempotency_key=f"release:{row.key}")
    return await _leave_pending(uow, row.id, CallStatus.COMPENSATED, made.reference)


async def _on_the_books(uow: UnitOfWork, row: PaymentCall, call: ProviderCall, made: Made) -> int:
    """Records a capture, a refund or a raised authorisation its command did not record."""
    assert row.id is not None and call.order_id is not None and made.reference is not None
    order = await lock_order(uow, call.order_id)
    if not await _leave_pending(uow, row.id, CallStatus.RECONCILED, made.reference):
        return 0
    now = utcnow()
    if call.kind is CallKind.REFUND:
        terms = RefundTerms.of(call.request)
        payment = await books.reserve_refund(uow, call.order_id, call.amount)
        await record_refund(uow, order, payment, call.amount, made.reference, terms)
        if terms.return_id is not None:
            found = await lock_return(uow, terms.return_id)
            if ReturnStatus(found.status) is ReturnStatus.INSPECTED:
                mark_refunded(found)
        return 1
    payment = await payment_of(uow, call.order_id)
    if call.kind is CallKind.CAPTURE:
        record_capture(uow, order, payment, call.amount, made.reference, now)
    else:
        books.reauthorize(
            uow, payment, payment.amount_authorized + call.amount, made.reference, now
        )
    uow.record(
        PaymentReconciled(
            order_id=call.order_id,
            kind=call.kind.value,
            amount=call.amount,
            reference=made.reference,
            call_id=row.id,
            captured=payment.amount_captured,
            authorized=payment.amount_authorized,
        )
    )
    return 1
