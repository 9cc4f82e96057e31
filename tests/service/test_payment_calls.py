"""Money never moves twice, and is never lost, when a command fails after the provider
answered: the commit is killed right after the provider call, then the command is retried or
left to the reconciler."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from api.db import Database, UnitOfWork
from api.dbtypes import utcnow
from api.events.models import Event
from api.fulfilment.shipping import ship_shipment
from api.orders.changes import cancel_order
from api.orders.placement import place_order
from api.payments.calls import CallSettledElsewhere, ProviderCall, make
from api.payments.models import CallKind, Payment, PaymentCall
from api.payments.provider import PaymentFailed, TestPaymentProvider
from api.payments.statuses import CallStatus
from api.reconciliation import reconcile
from api.returns.models import Refund
from api.returns.refunds import issue_refund
from api.shipping.carriers import BUILT_IN
from tests.service.fulfilment.conftest import Warehouse, warehouse  # noqa: F401  (fixture)
from tests.service.fulfilment.test_shipping import pack, picked
from tests.service.orders.conftest import order_request
from tests.service.returns.conftest import Delivered, delivered  # noqa: F401  (fixture)

LATER = timedelta(minutes=10)


class CommitLost(Exception):
    """The database went away between the provider's answer and the commit."""


@contextmanager
def commit_lost_once(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    real = UnitOfWork.commit
    lost = []

    async def commit(self: UnitOfWork) -> None:
        if not lost:
            lost.append(True)
            raise CommitLost
        await real(self)

    monkeypatch.setattr(UnitOfWork, "commit", commit)
    yield
    monkeypatch.setattr(UnitOfWork, "commit", real)


async def count(database: Database, model: type, *where: object) -> int:
    async with database.session() as session:
        statement = select(func.count()).select_from(model).where(*where)  # type: ignore[arg-type]
        return int((await session.execute(statement)).scalar_one())


async def payment(database: Database) -> Payment:
    async with database.session() as session:
        return (await session.execute(select(Payment))).scalar_one()


async def refund(database: Database, provider: TestPaymentProvider, order_id: int) -> Refund:
    async with database.unit_of_work("staff:1") as uow:
        return await issue_refund(
            uow, provider, order_id=order_id, amount=500, reason="late", idempotency_key="sorry-1"
        )


async def test_a_refund_retried_after_a_lost_commit_moves_money_once(
    delivered: Delivered,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    database = delivered.warehouse.database
    provider = TestPaymentProvider()
    order_id = delivered.placed.order.id
    assert order_id is not None
    before = (await payment(database)).amount_refunded
    with commit_lost_once(monkeypatch), pytest.raises(CommitLost):
        await refund(database, provider, order_id)
    assert len(provider.moved("refund")) == 1, "the provider did refund"
    assert (await payment(database)).amount_refunded == before, "the books did not"
    await refund(database, provider, order_id)
    assert len(provider.moved("refund")) == 1, "the retry moved nothing more"
    assert (await payment(database)).amount_refunded == before + 500
    assert await count(database, Refund) == 1
    assert await count(database, PaymentCall, PaymentCall.status == CallStatus.SUCCEEDED) >= 1


@pytest.mark.postgresql
async def test_a_refund_nobody_retries_is_put_on_the_books_by_the_reconciler(
    delivered: Delivered,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    database = delivered.warehouse.database
    if database.is_sqlite:
        pytest.skip("SQLite records the call in the command's transaction (see calls.py)")
    provider = TestPaymentProvider()
    order_id = delivered.placed.order.id
    assert order_id is not None
    before = (await payment(database)).amount_refunded
    with commit_lost_once(monkeypatch), pytest.raises(CommitLost):
        await refund(database, provider, order_id)
    assert await reconcile(database, provider) == 0, "not yet stale: its command may retry"
    assert await reconcile(database, provider, now=utcnow() + LATER) == 1
    assert await reconcile(database, provider, now=utcnow() + LATER) == 0
    assert len(provider.moved("refund")) == 1
    assert (await payment(database)).amount_refunded == before + 500
    assert await count(database, Refund) == 1
    assert await count(database, Event, Event.type == "REFUND_ISSUED") == 1
    with pytest.raises(CallSettledElsewhere):
        await refund(database, provider, order_id)
    assert len(provider.moved("refund")) == 1 and await count(database, Refund) == 1


async def test_a_shipment_shipped_again_after_a_lost_commit_captures_once(
    warehouse: Warehouse,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    database = warehouse.database
    provider = TestPaymentProvider()
    await warehouse.place(("S1", 2))
    [shipment] = await picked(warehouse, warehouse.berlin.id)  # type: ignore[arg-type]
    assert shipment.id is not None
    await pack(database, shipment.id)

    async def ship() -> None:
        async with database.unit_of_work("staff:packer") as uow:
            await ship_shipment(uow, provider, BUILT_IN, shipment_id=shipment.id)  # type: ignore[arg-type]

    with commit_lost_once(monkeypatch), pytest.raises(CommitLost):
        await ship()
    assert (await payment(database)).amount_captured == 0
    await ship()
    [capture] = provider.moved("capture")
    assert (await payment(database)).amount_captured == capture.amount > 0


@pytest.mark.postgresql
async def test_a_capture_nobody_retries_is_put_on_the_books(
    warehouse: Warehouse,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    database = warehouse.database
    if database.is_sqlite:
        pytest.skip("SQLite records the call in the command's transaction (see calls.py)")
    provider = TestPaymentProvider()
    await warehouse.place(("S1", 2))
    [shipment] = await picked(warehouse, warehouse.berlin.id)  # type: ignore[arg-type]
    await pack(database, shipment.id)  # type: ignore[arg-type]
    with commit_lost_once(monkeypatch), pytest.raises(CommitLost):
        async with database.unit_of_work("staff:packer") as uow:
            await ship_shipment(uow, provider, BUILT_IN, shipment_id=shipment.id)  # type: ignore[arg-type]
    assert await reconcile(database, provider, now=utcnow() + LATER) == 1
    [capture] = provider.moved("capture")
    assert (await payment(database)).amount_captured == capture.amount
    assert await count(database, Event, Event.type == "PAYMENT_RECONCILED") == 1
    async with database.unit_of_work("staff:packer") as uow:  # shipping it now captures no more
        await ship_shipment(uow, provider, BUILT_IN, shipment_id=shipment.id)  # type: ignore[arg-type]
    assert len(provider.moved("capture")) == 1
    assert (await payment(database)).amount_captured == capture.amount


async def test_an_authorisation_whose_order_failed_is_released_and_a_retry_authorises_anew(
    warehouse: Warehouse,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    database = warehouse.database
    provider = TestPaymentProvider()
    request = order_request(("S1", 1), idempotency_key="cart-9")

    async def place() -> None:
        async with database.unit_of_work("staff:1") as uow:
            await place_order(uow, provider, request, warehouse.policy)

    with commit_lost_once(monkeypatch), pytest.raises(CommitLost):
        await place()
    [first] = provider.moved("authorize")
    assert provider.voided == [first.reference], "its hold was released at once"
    await place()
    authorisations = provider.moved("authorize")
    assert len(authorisations) == 2 and (await payment(database)).authorization_reference == (
        authorisations[1].reference
    )


@pytest.mark.postgresql
async def test_a_hold_left_behind_by_a_dead_process_is_released_by_the_reconciler(
    warehouse: Warehouse,  # noqa: F811
) -> None:
    database = warehouse.database
    if database.is_sqlite:
        pytest.skip("SQLite records the call in the command's transaction (see calls.py)")
    provider = TestPaymentProvider()
    async with database.unit_of_work("staff:1") as uow:  # authorised, then the process died
        await make(
            uow,
            provider,
            ProviderCall(
                CallKind.AUTHORIZE, "authorize:lost", 1500, "EUR",
                request={"method": "card", "token": "tok_visa"},
            ),
        )  # fmt: skip
    assert await reconcile(database, provider, now=utcnow() + LATER) == 1
    [held] = provider.moved("authorize")
    assert provider.voided == [held.reference]
    assert await count(database, PaymentCall, PaymentCall.status == CallStatus.COMPENSATED) == 1


class VoidsFailOnce(TestPaymentProvider):
    def __init__(self) -> None:
        super().__init__()
        self.failed = False

    async def void(self, *, reference: str, idempotency_key: str) -> None:
        if not self.failed:
            self.failed = True
            raise PaymentFailed("timeout")
        await super().void(reference=reference, idempotency_key=idempotency_key)


@pytest.mark.postgresql
async def test_a_cancellation_releases_its_hold_after_it_commits_even_if_the_provider_is_down(
    warehouse: Warehouse,  # noqa: F811
) -> None:
    database = warehouse.database
    if database.is_sqlite:
        pytest.skip("the reconciler works on PostgreSQL")
    placed = await warehouse.place(("S1", 1))
    provider = VoidsFailOnce()
    async with database.unit_of_work("staff:1") as uow:
        await cancel_order(uow, provider, order_id=placed.order.id, reason="changed mind")  # type: ignore[arg-type]
    assert provider.voided == [] and (await payment(database)).voided, "cancelled, not yet void"
    assert await reconcile(database, provider, now=utcnow() + LATER) == 1
    assert provider.voided == [(await payment(database)).authorization_reference]
    assert await count(database, PaymentCall, PaymentCall.kind == "VOID",
                       PaymentCall.status == CallStatus.SUCCEEDED) == 1  # fmt: skip
