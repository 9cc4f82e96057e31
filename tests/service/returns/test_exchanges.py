"""Exchanges: returned goods pay for a new order; the difference is charged or refunded."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from api.errors import IdempotencyConflict, IllegalTransition, InvalidInput
from api.orders.changes import LineCancellation, cancel_order
from api.orders.editing import edit_order
from api.orders.models import Order, OrderLine
from api.orders.placement import PlacedOrder
from api.orders.requests import LineRequest, address_of
from api.payments.models import Payment
from api.payments.provider import TestPaymentProvider
from api.returns.exchanges import create_exchange
from api.returns.models import ItemCondition, Return, ReturnDisposition
from api.returns.receiving import ReceivedLine, receive_return
from api.returns.refunds import refund_return
from tests.invariants import assert_invariants
from tests.service.fulfilment.test_shipping import pack, picked, ship
from tests.service.returns.conftest import Delivered
from tests.service.returns.test_returns import approve, ask, line_ids, receive, return_lines


async def received_return(delivered: Delivered, units: int) -> Return:
    ids = await line_ids(delivered)
    found = await ask(delivered, (ids[min(ids)], units))
    await approve(delivered, found)
    (line,) = await return_lines(delivered, found)
    await receive(
        delivered,
        found,
        ReceivedLine(line.id, units, ItemCondition.NEW, ReturnDisposition.RESTOCK),  # type: ignore[arg-type]
    )
    return found


async def exchange(delivered: Delivered, found: Return, token: str | None, *lines: tuple[str, int]):  # type: ignore[no-untyped-def]
    return await create_exchange(
        delivered.warehouse.database,
        "staff:1",
        TestPaymentProvider(),
        delivered.warehouse.policy,
        return_id=found.id,  # type: ignore[arg-type]
        lines=[LineRequest(sku, units) for sku, units in lines],
        payment_token=token,
    )


async def payments(delivered: Delivered) -> dict[int, Payment]:
    async with delivered.warehouse.database.session() as session:
        return {p.order_id: p for p in (await session.execute(select(Payment))).scalars()}


async def test_a_dearer_exchange_authorises_only_the_difference(delivered: Delivered) -> None:
    found = await received_return(delivered, 1)
    credit = 1000 + 190
    placed = await exchange(delivered, found, "tok_visa", ("S2", 1))
    new = placed.order
    assert new.exchange_for_return_id == found.id
    assert new.email == delivered.placed.order.email
    by_order = await payments(delivered)
    assert by_order[new.id].amount_authorized == new.total - credit  # type: ignore[index]
    async with delivered.warehouse.database.session() as session:
        stored = await session.get(Return, found.id)
    assert stored is not None and stored.status == "EXCHANGED"
    await assert_invariants(delivered.warehouse.database)


async def test_a_cheaper_exchange_refunds_the_rest(delivered: Delivered) -> None:
    found = await received_return(delivered, 3)
    credit = 3 * (1000 + 190)
    placed = await exchange(delivered, found, None, ("S2", 1))
    by_order = await payments(delivered)
    assert by_order[placed.order.id].amount_authorized == 0  # type: ignore[index]
    original = by_order[delivered.placed.order.id]  # type: ignore[index]
    assert original.amount_refunded == credit - placed.order.total
    await assert_invariants(delivered.warehouse.database)


async def test_an_exchange_needs_a_received_return_and_a_way_to_pay_the_difference(
    delivered: Delivered,
) -> None:
    ids = await line_ids(delivered)
    asked = await ask(delivered, (ids[min(ids)], 1))
    with pytest.raises(IllegalTransition):
        await exchange(delivered, asked, "tok_visa", ("S2", 1))
    await approve(delivered, asked)
    (line,) = await return_lines(delivered, asked)
    await receive(
        delivered, asked, ReceivedLine(line.id, 1, ItemCondition.NEW, ReturnDisposition.RESTOCK)
    )  # type: ignore[arg-type]
    with pytest.raises(InvalidInput) as no_token:
        await exchange(delivered, asked, None, ("S2", 2))
    assert no_token.value.field == ["payment", "token"]
    async with delivered.warehouse.database.session() as session:
        stored = await session.get(Return, asked.id)
        orders = len(list((await session.execute(select(Order.id))).scalars()))
    assert stored is not None and stored.status == "INSPECTED"  # nothing of the exchange stayed
    assert orders == 1


async def edit(
    delivered: Delivered, order: Order, *lines: tuple[str, int], **address: str
) -> Order:
    async with delivered.warehouse.database.unit_of_work("staff:1") as uow:
        return await edit_order(
            uow,
            TestPaymentProvider(),
            order_id=order.id,  # type: ignore[arg-type]
            lines=[LineRequest(sku, units) for sku, units in lines] or None,
            address=replace(address_of(order), **address) if address else None,
            policy=delivered.warehouse.policy,
        )


async def cancel(delivered: Delivered, order: Order, *lines: LineCancellation) -> Order:
    async with delivered.warehouse.database.unit_of_work("staff:1") as uow:
        return await cancel_order(
            uow,
            TestPaymentProvider(),
            order_id=order.id,  # type: ignore[arg-type]
            reason="changed their mind",
            lines=list(lines) or None,
        )


async def stored_return(delivered: Delivered, found: Return) -> Return:
    async with delivered.warehouse.database.session() as session:
        stored = await session.get(Return, found.id)
    assert stored is not None
    return stored


CREDIT = 1000 + 190  # one returned unit of S1 with its tax


async def test_an_edit_charges_only_what_the_credit_does_not_pay(delivered: Delivered) -> None:
    placed = await exchange(delivered, await received_return(delivered, 1), "tok_visa", ("S2", 1))
    edited = await edit(delivered, placed.order, ("S2", 2))
    payment = (await payments(delivered))[edited.id]  # type: ignore[index]
    assert payment.amount_credited == CREDIT
    assert payment.amount_authorized == edited.total - CREDIT
    await assert_invariants(delivered.warehouse.database)


async def test_a_wholly_credited_exchange_is_edited_without_a_payment(
    delivered: Delivered,
) -> None:
    placed = await exchange(delivered, await received_return(delivered, 3), None, ("S2", 1))
    moved = await edit(delivered, placed.order, city="Berlin", postal_code="10115")
    assert moved.ship_city == "Berlin"
    payment = (await payments(delivered))[moved.id]  # type: ignore[index]
    assert (payment.amount_credited, payment.amount_authorized) == (moved.total, 0)
    with pytest.raises(InvalidInput, match="holds no payment to charge"):
        await edit(delivered, moved, ("S2", 3))
    await assert_invariants(delivered.warehouse.database)


async def test_a_partly_credited_exchange_captures_only_what_is_payable(
    delivered: Delivered,
) -> None:
    placed = await exchange(delivered, await received_return(delivered, 1), "tok_visa", ("S2", 2))
    await ship_everything(delivered, placed)
    payment = (await payments(delivered))[placed.order.id]  # type: ignore[index]
    assert payment.amount_captured == placed.order.total - CREDIT
    async with delivered.warehouse.database.session() as session:
        order = await session.get(Order, placed.order.id)
    assert order is not None and order.payment_status == "PAID"
    await assert_invariants(delivered.warehouse.database)


async def ship_everything(delivered: Delivered, placed: PlacedOrder) -> None:
    warehouse = delivered.warehouse
    for shipment in await picked(warehouse, warehouse.berlin.id):  # type: ignore[arg-type]
        assert shipment.order_id == placed.order.id
        await pack(warehouse.database, shipment.id)  # type: ignore[arg-type]
        await ship(warehouse.database, shipment.id)  # type: ignore[arg-type]


async def test_a_partial_cancel_cannot_lose_credit(delivered: Delivered) -> None:
    found = await received_return(delivered, 2)
    placed = await exchange(delivered, found, "tok_visa", ("S2", 1), ("S3", 1))
    async with delivered.warehouse.database.session() as session:
        lines = (
            await session.execute(select(OrderLine).where(OrderLine.order_id == placed.order.id))
        ).scalars()
        s3 = max(line.id for line in lines)  # type: ignore[type-var]
    with pytest.raises(InvalidInput, match="credit") as refused:
        await cancel(delivered, placed.order, LineCancellation(s3, 1))  # type: ignore[arg-type]
    assert refused.value.field == ["lines"]
    async with delivered.warehouse.database.session() as session:
        order = await session.get(Order, placed.order.id)
    assert order is not None and order.total == placed.order.total  # nothing changed
    await assert_invariants(delivered.warehouse.database)


async def test_a_cancelled_exchange_gives_its_return_back_for_a_refund(
    delivered: Delivered,
) -> None:
    found = await received_return(delivered, 1)
    placed = await exchange(delivered, found, "tok_visa", ("S2", 1))
    cancelled = await cancel(delivered, placed.order)
    assert cancelled.status == "CANCELLED"
    assert (await stored_return(delivered, found)).status == "INSPECTED"
    assert (await payments(delivered))[cancelled.id].amount_credited == 0  # type: ignore[index]
    async with delivered.warehouse.database.unit_of_work("staff:1") as uow:
        refund = await refund_return(uow, TestPaymentProvider(), return_id=found.id)  # type: ignore[arg-type]
    assert refund.amount == CREDIT
    await assert_invariants(delivered.warehouse.database)


async def test_a_keyed_receipt_and_exchange_happen_once(delivered: Delivered) -> None:
    database = delivered.warehouse.database
    ids = await line_ids(delivered)
    found = await ask(delivered, (ids[min(ids)], 1))
    await approve(delivered, found)
    (line,) = await return_lines(delivered, found)
    arrived = ReceivedLine(line.id, 1, ItemCondition.NEW, ReturnDisposition.RESTOCK)  # type: ignore[arg-type]

    async def take_in(received: ReceivedLine) -> Return:
        async with database.unit_of_work("staff:1") as uow:
            return await receive_return(
                uow,
                return_id=found.id,  # type: ignore[arg-type]
                lines=[received],
                idempotency_key="parcel-1",
            )

    first = await take_in(arrived)
    replayed = await take_in(arrived)
    assert (replayed.id, replayed.version, replayed.status) == (
        first.id,
        first.version,
        "INSPECTED",
    )
    with pytest.raises(IdempotencyConflict):
        await take_in(replace(arrived, disposition=ReturnDisposition.DAMAGED))

    async def keyed_exchange() -> PlacedOrder:
        return await create_exchange(
            database,
            "staff:1",
            TestPaymentProvider(),
            delivered.warehouse.policy,
            return_id=found.id,  # type: ignore[arg-type]
            lines=[LineRequest("S2", 1)],
            payment_token="tok_visa",
            idempotency_key="swap-1",
        )

    placed = await keyed_exchange()
    again = await keyed_exchange()
    assert again.replayed and again.order.id == placed.order.id
    async with database.session() as session:
        orders = len(list((await session.execute(select(Order.id))).scalars()))
    assert orders == 2
    await assert_invariants(database)
