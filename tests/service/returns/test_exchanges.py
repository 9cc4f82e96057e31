"""Exchanges: returned goods pay for a new order; the difference is charged or refunded."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from api.errors import IllegalTransition, InvalidInput
from api.orders.models import Order
from api.orders.requests import LineRequest
from api.payments.models import Payment
from api.payments.provider import TestPaymentProvider
from api.returns.exchanges import create_exchange
from api.returns.models import ItemCondition, Return, ReturnDisposition
from api.returns.receiving import ReceivedLine
from tests.invariants import assert_invariants
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
