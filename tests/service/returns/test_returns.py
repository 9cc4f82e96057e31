"""Returns, dispositions, refunds and feedback, called on the services directly."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from api import validation
from api.errors import (
    AlreadyExists,
    IllegalTransition,
    InvalidInput,
    RefundExceedsCaptured,
)
from api.orders.models import Order, OrderLine
from api.payments.models import Payment, PaymentTransaction
from api.payments.provider import TestPaymentProvider
from api.returns.feedback import submit_feedback
from api.returns.models import (
    ItemCondition,
    Refund,
    Return,
    ReturnDisposition,
    ReturnLine,
    ReturnReason,
    ReturnResolution,
)
from api.returns.receiving import ReceivedLine, receive_return
from api.returns.refunds import issue_refund, refund_return
from api.returns.service import (
    ReturnLineRequest,
    approve_return,
    reject_return,
    request_return,
)
from api.shipping.carriers import BUILT_IN
from tests.invariants import assert_invariants
from tests.service.fulfilment.test_picking import level
from tests.service.returns.conftest import Delivered

WINDOW = timedelta(days=30)


async def line_ids(delivered: Delivered) -> dict[int, int]:
    """sku_id -> order line id"""
    async with delivered.warehouse.database.session() as session:
        lines = (await session.execute(select(OrderLine))).scalars()
        return {line.sku_id: line.id for line in lines}  # type: ignore[misc]


async def ask(delivered: Delivered, *lines: tuple[int, int], window: timedelta = WINDOW) -> Return:
    async with delivered.warehouse.database.unit_of_work("customer") as uow:
        return await request_return(
            uow,
            order_id=delivered.placed.order.id,  # type: ignore[arg-type]
            lines=[
                ReturnLineRequest(line_id, units, ReturnReason.CHANGED_MIND)
                for line_id, units in lines
            ],
            resolution=ReturnResolution.REFUND,
            window=window,
        )


async def approve(delivered: Delivered, found: Return) -> Return:
    async with delivered.warehouse.database.unit_of_work("staff:1") as uow:
        return await approve_return(uow, BUILT_IN, return_id=found.id)  # type: ignore[arg-type]


async def receive(delivered: Delivered, found: Return, *received: ReceivedLine) -> Return:
    async with delivered.warehouse.database.unit_of_work("staff:1") as uow:
        return await receive_return(uow, return_id=found.id, lines=list(received))  # type: ignore[arg-type]


async def return_lines(delivered: Delivered, found: Return) -> list[ReturnLine]:
    async with delivered.warehouse.database.session() as session:
        result = await session.execute(
            select(ReturnLine).where(ReturnLine.return_id == found.id).order_by(ReturnLine.id)
        )
        return list(result.scalars())


async def test_received_units_go_where_their_disposition_says_and_are_refunded(
    delivered: Delivered,
) -> None:
    warehouse = delivered.warehouse
    s1 = min(await line_ids(delivered))
    before = await level(warehouse.database, warehouse.berlin.id, "S1")  # type: ignore[arg-type]
    requested = await ask(delivered, ((await line_ids(delivered))[s1], 2))
    await approve(delivered, requested)
    (line,) = await return_lines(delivered, requested)
    restock = ReceivedLine(line.id, 2, ItemCondition.OPENED, ReturnDisposition.RESTOCK)  # type: ignore[arg-type]
    inspected = await receive(delivered, requested, restock)
    assert inspected.status == "INSPECTED"
    after = await level(warehouse.database, warehouse.berlin.id, "S1")  # type: ignore[arg-type]
    assert (after.on_hand, after.damaged) == (before.on_hand + 2, before.damaged)
    async with warehouse.database.unit_of_work("staff:1") as uow:
        refund = await refund_return(uow, TestPaymentProvider(), return_id=requested.id)  # type: ignore[arg-type]
    assert refund.amount == 2 * 1000 + round(2 * 1000 * 0.19)
    async with warehouse.database.session() as session:
        payment = (await session.execute(select(Payment))).scalar_one()
        order = await session.get(Order, delivered.placed.order.id)
        stored = await session.get(Return, requested.id)
        order_line = await session.get(OrderLine, line.order_line_id)
    assert payment.amount_refunded == refund.amount
    assert order is not None and order.payment_status == "PARTIALLY_REFUNDED"
    assert stored is not None and stored.status == "REFUNDED"
    assert order_line is not None and order_line.quantity_returned == 2
    await assert_invariants(warehouse.database)


async def test_damaged_and_missing_units(delivered: Delivered) -> None:
    warehouse = delivered.warehouse
    ids = await line_ids(delivered)
    s1, s2 = sorted(ids)
    requested = await ask(delivered, (ids[s1], 1), (ids[s2], 1))
    await approve(delivered, requested)
    first, second = await return_lines(delivered, requested)
    before = await level(warehouse.database, warehouse.berlin.id, "S1")  # type: ignore[arg-type]
    await receive(
        delivered,
        requested,
        ReceivedLine(first.id, 1, ItemCondition.DAMAGED, ReturnDisposition.DAMAGED),  # type: ignore[arg-type]
        ReceivedLine(second.id, 1, ItemCondition.NEW, ReturnDisposition.MISSING),  # type: ignore[arg-type]
    )
    after = await level(warehouse.database, warehouse.berlin.id, "S1")  # type: ignore[arg-type]
    assert (after.on_hand, after.damaged) == (before.on_hand, before.damaged + 1)
    async with warehouse.database.unit_of_work("staff:1") as uow:
        refund = await refund_return(uow, TestPaymentProvider(), return_id=requested.id)  # type: ignore[arg-type]
    assert refund.amount == 1000 + 190  # the missing unit is not refunded
    await assert_invariants(warehouse.database)


async def test_nothing_beyond_what_shipped_and_is_not_already_asked_back(
    delivered: Delivered,
) -> None:
    ids = await line_ids(delivered)
    s1 = ids[min(ids)]
    with pytest.raises(InvalidInput) as too_many:
        await ask(delivered, (s1, 4))
    assert too_many.value.field == ["lines", "0", "quantity"]
    await ask(delivered, (s1, 2))
    with pytest.raises(InvalidInput):
        await ask(delivered, (s1, 2))  # only one unit is left to ask for
    await ask(delivered, (s1, 1))
    with pytest.raises(InvalidInput):
        await ask(delivered, (ids[max(ids)], 1), window=timedelta(0))  # the window has closed


async def test_decisions_happen_once_and_in_order(delivered: Delivered) -> None:
    ids = await line_ids(delivered)
    rejected = await ask(delivered, (ids[min(ids)], 1))
    async with delivered.warehouse.database.unit_of_work("staff:1") as uow:
        await reject_return(uow, return_id=rejected.id, reason="worn")  # type: ignore[arg-type]
    with pytest.raises(IllegalTransition):
        async with delivered.warehouse.database.unit_of_work("staff:1") as uow:
            await refund_return(uow, TestPaymentProvider(), return_id=rejected.id)  # type: ignore[arg-type]
    approved = await ask(delivered, (ids[min(ids)], 1))
    await approve(delivered, approved)
    (line,) = await return_lines(delivered, approved)
    received = ReceivedLine(line.id, 1, ItemCondition.NEW, ReturnDisposition.RESTOCK)  # type: ignore[arg-type]
    await receive(delivered, approved, received)
    with pytest.raises(IllegalTransition):
        await receive(delivered, approved, received)
    await assert_invariants(delivered.warehouse.database)


async def test_refunds_stop_at_what_was_captured_and_a_key_refunds_once(
    delivered: Delivered,
) -> None:
    database = delivered.warehouse.database
    order_id = delivered.placed.order.id
    async with database.session() as session:
        captured = (await session.execute(select(Payment))).scalar_one().amount_captured
    with pytest.raises(RefundExceedsCaptured) as too_much:
        async with database.unit_of_work("staff:1") as uow:
            await issue_refund(
                uow, TestPaymentProvider(), order_id=order_id, amount=captured + 1, reason="x"
            )  # type: ignore[arg-type]
    assert too_much.value.data == {"requested": captured + 1, "refundable": captured}
    for _ in range(2):
        async with database.unit_of_work("staff:1") as uow:
            refund = await issue_refund(
                uow,
                TestPaymentProvider(),
                order_id=order_id,
                amount=500,
                reason="late",
                idempotency_key="goodwill-1",  # type: ignore[arg-type]
            )
    async with database.session() as session:
        refunds = (await session.execute(select(func.count()).select_from(Refund))).scalar_one()
        payment = (await session.execute(select(Payment))).scalar_one()
        transactions = (
            await session.execute(
                select(func.count())
                .select_from(PaymentTransaction)
                .where(PaymentTransaction.kind == "REFUND")
            )
        ).scalar_one()
    assert (refunds, transactions, payment.amount_refunded, refund.amount) == (1, 1, 500, 500)


async def test_feedback_once_after_delivery_with_a_rating_of_1_to_5(delivered: Delivered) -> None:
    database = delivered.warehouse.database
    order_id = delivered.placed.order.id
    assert order_id is not None
    for rating in (0, 6):
        with pytest.raises(InvalidInput):
            async with database.unit_of_work("customer") as uow:
                await submit_feedback(uow, order_id=order_id, rating=rating)
    async with database.unit_of_work("customer") as uow:
        feedback = await submit_feedback(uow, order_id=order_id, rating=5, comment="quick")
    assert feedback.rating == 5
    with pytest.raises(AlreadyExists):
        async with database.unit_of_work("customer") as uow:
            await submit_feedback(uow, order_id=order_id, rating=4)
    not_yet = await delivered.warehouse.place(("S2", 1), email="later@example.com")
    assert not_yet.order.id is not None
    with pytest.raises(IllegalTransition):
        async with database.unit_of_work("customer") as uow:
            await submit_feedback(uow, order_id=not_yet.order.id, rating=4)


async def test_a_refund_is_money_not_a_quantity(delivered: Delivered) -> None:
    """Only what was captured bounds it: a large amount is refused as more than captured,
    not as an out-of-range quantity, and money has bounds of its own."""
    database = delivered.warehouse.database
    order_id = delivered.placed.order.id
    with pytest.raises(RefundExceedsCaptured) as too_much:
        async with database.unit_of_work("staff:1") as uow:
            await issue_refund(
                uow, TestPaymentProvider(), order_id=order_id, amount=15_000_000, reason="x"
            )  # type: ignore[arg-type]
    assert too_much.value.data["requested"] == 15_000_000
    for amount in (0, -5, 2**53 + 1):
        with pytest.raises(InvalidInput, match="minor units"):
            async with database.unit_of_work("staff:1") as uow:
                await issue_refund(
                    uow, TestPaymentProvider(), order_id=order_id, amount=amount, reason="x"
                )  # type: ignore[arg-type]
    assert validation.money(2**53, "amount") == 2**53
    assert validation.money(0, "restockingFee", minimum=0) == 0


async def test_shipping_is_refunded_once_per_order_across_returns(delivered: Delivered) -> None:
    ids = await line_ids(delivered)
    s1, s2 = sorted(ids)
    first, second = await ask(delivered, (ids[s1], 1)), await ask(delivered, (ids[s2], 1))
    for found in (first, second):
        await approve(delivered, found)
        (line,) = await return_lines(delivered, found)
        await receive(
            delivered,
            found,
            ReceivedLine(line.id, 1, ItemCondition.NEW, ReturnDisposition.RESTOCK),  # type: ignore[arg-type]
        )
    database = delivered.warehouse.database
    shipping = delivered.placed.order.shipping_total
    assert shipping > 0
    async with database.unit_of_work("staff:1") as uow:
        with_shipping = await refund_return(
            uow,
            TestPaymentProvider(),
            return_id=first.id,  # type: ignore[arg-type]
            include_shipping=True,
        )
    assert with_shipping.amount == 1000 + shipping + round((1000 + shipping) * 0.19)
    with pytest.raises(InvalidInput, match=f"with return {first.id}") as refused:
        async with database.unit_of_work("staff:1") as uow:
            await refund_return(
                uow,
                TestPaymentProvider(),
                return_id=second.id,  # type: ignore[arg-type]
                include_shipping=True,
            )
    assert refused.value.field == ["includeShipping"]
    async with database.unit_of_work("staff:1") as uow:
        goods_only = await refund_return(uow, TestPaymentProvider(), return_id=second.id)  # type: ignore[arg-type]
    assert goods_only.amount == 1000 + 190
    await assert_invariants(database)
