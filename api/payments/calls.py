"""Calls to the payment provider that a crash or a failed commit can never make twice or lose.

A command that moves or holds money makes its call in three steps:

1. ``make`` records the call (``PaymentCall``, PENDING) in a transaction of its own, committed
   before the provider hears of it, under an idempotency key derived from the command;
2. then calls the provider with that key: the same key again answers what the first call did
   and moves nothing more;
3. the command's own transaction ``settle``s the call (SUCCEEDED) beside what it records.

When the command fails after the provider answered, the call stays PENDING. Retrying the
command derives the same key, finds the call, calls again (moving nothing more) and settles
it. A call nobody retries is finished by ``api.reconciliation``: it calls again with the
same key, then records on the books what the provider did, or undoes it where it only held
money for an order that never came to be.

On SQLite, whose one writer is the command's own transaction, the record is written in that
transaction: a retry still moves money once (the key), but a call whose command is never
retried leaves no record for the reconciler. Production runs on PostgreSQL.

A void is the other way round (``schedule`` then ``perform``): recorded in the command's
transaction and made after its commit, so that a cancelled order's hold is released only once
the cancellation is certain, and again by the reconciler if the process died in between.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col

from api.db import Database, UnitOfWork
from api.dbtypes import utcnow
from api.errors import IllegalTransition
from api.payments.models import CallKind, PaymentCall
from api.payments.provider import Authorization, PaymentDeclined, PaymentFailed, PaymentProvider
from api.payments.rules import CALL
from api.payments.statuses import CallStatus
from api.reads import as_records, columns


class CallSettledElsewhere(IllegalTransition):
    """The call this command would make was finished without it (by the reconciler): what
    the provider did is on the books already; the command is not done again."""

    def __init__(self, call: PaymentCall) -> None:
        super().__init__(
            f"the payment provider call {call.key} was {call.status.lower()} by reconciliation: "
            "see the order's payment",
            field=None,
            status=call.status,
        )


@dataclass(frozen=True)
class ProviderCall:
    kind: CallKind
    key: str
    """The idempotency key, derived from the command (the same command, the same key)."""
    amount: int
    currency: str
    order_id: int | None = None
    authorization_reference: str | None = None
    request: dict[str, Any] = field(default_factory=dict)
    """What else the call needs to be made again: an authorisation's method and token, a
    refund's return."""

    @classmethod
    def of(cls, row: PaymentCall) -> ProviderCall:
        return cls(
            CallKind(row.kind),
            row.key,
            row.amount,
            row.currency,
            row.order_id,
            row.authorization_reference,
            row.request or {},
        )


@dataclass(frozen=True)
class Made:
    call_id: int
    key: str
    reference: str | None
    """The provider's reference for what it did (None for a void)."""
    authorization: Authorization | None = None


async def perform(payments: PaymentProvider, call: ProviderCall) -> Made:
    """The provider call itself, under the call's key (``call_id`` left 0)."""
    if call.kind is CallKind.AUTHORIZE:
        authorization = await payments.authorize(
            amount=call.amount,
            currency=call.currency,
            method=call.request["method"],
            token=call.request["token"],
            idempotency_key=call.key,
        )
        return Made(0, call.key, authorization.reference, authorization)
    reference = call.authorization_reference
    assert reference is not None, "every call but an authorisation acts on one"
    if call.kind is CallKind.INCREASE:
        done = await payments.increase_authorization(
            reference=reference, amount=call.amount, idempotency_key=call.key
        )
    elif call.kind is CallKind.CAPTURE:
        done = await payments.capture(
            reference=reference, amount=call.amount, idempotency_key=call.key
        )
    elif call.kind is CallKind.REFUND:
        done = await payments.refund(
            reference=reference, amount=call.amount, idempotency_key=call.key
        )
    else:
        await payments.void(reference=reference, idempotency_key=call.key)
        return Made(0, call.key, None)
    return Made(0, call.key, done)


def _row(call: ProviderCall) -> dict[str, Any]:
    return {
        "key": call.key,
        "kind": call.kind.value,
        "order_id": call.order_id,
        "authorization_reference": call.authorization_reference,
        "amount": call.amount,
        "currency": call.currency,
        "request": call.request or None,
        "status": CALL.start(CallStatus.PENDING).value,
        "created_at": utcnow(),
    }


async def _now(uow: UnitOfWork, statement: Any) -> Any:
    """Runs ``statement`` committed at once (PostgreSQL), or in the command's transaction
    where that transaction is the database's one writer (SQLite)."""
    if uow.database.is_sqlite:
        return await uow.session.execute(statement)
    async with uow.database.apart() as connection:  # autocommit
        return await connection.execute(statement)


async def record(uow: UnitOfWork, call: ProviderCall) -> PaymentCall:
    """The call's row, written (on PostgreSQL committed) now, unless it exists: the command
    is being retried."""
    dialect = sqlite if uow.database.is_sqlite else postgresql
    insert = (
        dialect.insert(PaymentCall)
        .values(_row(call))
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(*columns(PaymentCall))
    )
    rows = as_records((await _now(uow, insert)).all(), PaymentCall)
    if not rows:
        found = select(*columns(PaymentCall)).where(col(PaymentCall.key) == call.key)
        rows = as_records((await _now(uow, found)).all(), PaymentCall)
    return rows[0]


def _finishing(call_id: int, outcome: CallStatus, **values: Any) -> Any:
    """Moves a call from PENDING; a call the reconciler finished meanwhile stays as it is."""
    return (
        update(PaymentCall)
        .where(col(PaymentCall.id) == call_id, col(PaymentCall.status) == CallStatus.PENDING)
        .values(**CALL.bulk_move([CallStatus.PENDING], outcome), **values)
    )


async def make(uow: UnitOfWork, payments: PaymentProvider, call: ProviderCall) -> Made:
    """Records the call, then makes it (again, for a command retried after it failed: the
    provider answers as before). A decline is recorded FAILED and raised; a provider that
    could not answer moved nothing, so its call is forgotten and the command may retry.

    A key whose call its command finished (SUCCEEDED), or whose hold was released
    (COMPENSATED), reaches here again only from a new command (the first one's idempotency
    record has expired, or it never wrote its order): that one is the key's next attempt."""
    base_key, attempt = call.key, 1
    while True:
        row = await record(uow, call)
        if row.status not in (CallStatus.SUCCEEDED, CallStatus.COMPENSATED):
            break
        attempt += 1
        call = replace(call, key=f"{base_key}#{attempt}")
    assert row.id is not None
    status = CallStatus(row.status)
    if status is CallStatus.FAILED:
        raise PaymentDeclined(row.error or "declined")
    if status is not CallStatus.PENDING:
        raise CallSettledElsewhere(row)
    try:
        made = await perform(payments, call)
    except PaymentDeclined as declined:
        reason = str(declined.data.get("reason", "declined"))
        failed = _finishing(
            row.id, CallStatus.FAILED, error=reason, settled_at=utcnow(), request=None
        )
        await _now(uow, failed)
        raise
    except PaymentFailed:
        await _now(uow, delete(PaymentCall).where(col(PaymentCall.id) == row.id))
        raise
    return Made(row.id, call.key, made.reference, made.authorization)


async def make_and_settle(uow: UnitOfWork, payments: PaymentProvider, call: ProviderCall) -> str:
    """A call that acts on an authorisation (capture, refund, increase) made and settled in the
    command's transaction; the provider's reference for what it did."""
    made = await make(uow, payments, call)
    await settle(uow, made)
    assert made.reference is not None, "a capture, refund or increase has a reference"
    return made.reference


async def settle(uow: UnitOfWork, made: Made) -> None:
    """Marks the call SUCCEEDED in the command's transaction, beside what the command records
    of it; refuses (rolling the command back) if the reconciler finished it meanwhile."""
    settled = await uow.session.execute(
        _finishing(
            made.call_id,
            CallStatus.SUCCEEDED,
            provider_reference=made.reference,
            settled_at=utcnow(),
            request=None,
        )
    )
    if settled.rowcount != 1:  # type: ignore[attr-defined]
        finished = await uow.session.get(PaymentCall, made.call_id)
        assert finished is not None
        raise CallSettledElsewhere(finished)


async def compensate(
    uow: UnitOfWork, payments: PaymentProvider, made: Made, call: ProviderCall
) -> None:
    """Releases an authorisation whose order was never written: the failed command is rolled
    back first (on SQLite that drops the call's row, written in its transaction, and the
    database's lock), the hold voided under a key of its own, and the call kept COMPENSATED,
    so that the command retried authorises anew. Should the provider fail now, the call stays
    PENDING and the reconciler releases it later."""
    assert made.reference is not None
    await uow.session.rollback()
    try:
        await payments.void(reference=made.reference, idempotency_key=f"release:{made.key}")
    except (PaymentDeclined, PaymentFailed):
        return
    dialect = sqlite if uow.database.is_sqlite else postgresql
    released = {
        "status": CALL.start(CallStatus.COMPENSATED).value,
        "provider_reference": made.reference,
        "settled_at": utcnow(),
        "request": None,
    }
    upsert = dialect.insert(PaymentCall).values({**_row(call), **released, "key": made.key})
    async with uow.database.apart() as connection:  # the command is over: committed at once
        await connection.execute(
            upsert.on_conflict_do_update(index_elements=["key"], set_=released)
        )


def schedule(uow: UnitOfWork, call: ProviderCall) -> PaymentCall:
    """A call to make once the command has committed (a void): recorded in its transaction."""
    row = PaymentCall(**_row(call))
    uow.session.add(row)
    return row


async def perform_scheduled(
    database: Database, payments: PaymentProvider, row: PaymentCall
) -> None:
    """Makes a scheduled call after its command committed, and marks it SUCCEEDED. Should
    the provider fail now, the call stays PENDING and the reconciler makes it later."""
    assert row.id is not None
    try:
        await perform(payments, ProviderCall.of(row))
    except (PaymentDeclined, PaymentFailed):
        return
    done = _finishing(row.id, CallStatus.SUCCEEDED, settled_at=utcnow(), request=None)
    async with database.reader() as connection:  # the command has committed
        await connection.execute(done)
