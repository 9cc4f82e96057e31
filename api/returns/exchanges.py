"""Exchanges: the goods that came back pay for a new order of the same or other SKUs.

The new order is sourced, reserved and priced like any order, for the same customer and
address, and points at its return. The returned units' value (at the prices paid, with their
tax) is credited: a dearer exchange authorises the difference on the payment token given, a
cheaper one refunds the difference to the original order's payment.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlmodel import col

from api.channels.models import Channel
from api.customers.models import Customer
from api.db import Database, UnitOfWork
from api.dbtypes import utcnow
from api.events.reactions import reacts_to
from api.idempotency import service as idempotency
from api.orders import pricing
from api.orders.changes import lock_order
from api.orders.facts import ExchangeCancelled
from api.orders.models import Order, order_number
from api.orders.placement import PlacedOrder, place_order
from api.orders.requests import LineRequest, PlaceOrderRequest, address_of
from api.orders.routing import OrderPolicy
from api.payments.provider import PaymentProvider
from api.returns.events import ReturnReopened
from api.returns.models import Return
from api.returns.refunds import refund_difference
from api.returns.rules import RETURN
from api.returns.service import lock_return, returned_goods
from api.returns.statuses import ReturnStatus
from api.shipping.speeds import ShippingSpeed


async def create_exchange(
    database: Database,
    actor: str,
    payments: PaymentProvider,
    policy: OrderPolicy,
    *,
    return_id: int,
    lines: Sequence[LineRequest],
    payment_token: str | None = None,
    idempotency_key: str | None = None,
) -> PlacedOrder:
    """Two commands: the exchange (the new order, the return EXCHANGED) in one transaction,
    then, when the returned goods were worth more than the new order, a refund of the excess.
    Should the refund fail, the exchange still stands and the excess can be refunded with
    issueRefund. The same exchange again under the same key answers the first one's order and
    moves nothing more."""
    async with database.unit_of_work(actor) as uow:
        request = {
            "returnId": return_id,
            "lines": [[line.sku, line.quantity] for line in lines],
            "paymentToken": payment_token,
        }
        if idempotency_key is not None:
            claimed = await idempotency.claim(
                uow, key=idempotency_key, operation="createExchange", request=request
            )
            if claimed.replay is not None:
                return await _first_exchange(uow, return_id)
        placed, credit, original_id = await _exchange(
            uow, payments, policy, return_id=return_id, lines=lines, payment_token=payment_token
        )
    excess = credit - placed.order.total
    if excess > 0:
        async with database.unit_of_work(actor) as uow:
            await refund_difference(
                uow, payments, order_id=original_id, amount=excess, return_id=return_id
            )
    return placed


async def _first_exchange(uow: UnitOfWork, return_id: int) -> PlacedOrder:
    """The order the key's first use placed: the return's latest exchange (a cancelled
    exchange gives its return back, so it may have had one before)."""
    order = (
        await uow.session.execute(
            select(Order)
            .where(col(Order.exchange_for_return_id) == return_id)
            .order_by(col(Order.id).desc())
            .limit(1)
        )
    ).scalar_one()
    await uow.commit()
    return PlacedOrder(order, "", replayed=True)


async def _exchange(
    uow: UnitOfWork,
    payments: PaymentProvider,
    policy: OrderPolicy,
    *,
    return_id: int,
    lines: Sequence[LineRequest],
    payment_token: str | None,
) -> tuple[PlacedOrder, int, int]:
    found = await lock_return(uow, return_id)
    RETURN.check(found, ReturnStatus.EXCHANGED, return_id, doing="exchanged")
    original = await lock_order(uow, found.order_id)
    goods = await returned_goods(uow, return_id, found.order_id)
    credit = goods + pricing.tax_on(goods, original.ship_country)
    channel = await uow.session.get(Channel, original.channel_id)
    customer = await uow.session.get(Customer, original.customer_id)
    assert channel is not None and customer is not None
    RETURN.move(found, ReturnStatus.EXCHANGED, return_id)
    found.version += 1
    found.updated_at = utcnow()
    request = PlaceOrderRequest(
        channel=channel.code,
        customer_email=original.email,
        customer_name=customer.name,
        lines=list(lines),
        address=address_of(original),
        payment_token=payment_token or "",
        shipping_speed=ShippingSpeed(original.shipping_speed),
        credit=credit,
        exchange_for_return_id=return_id,
    )
    return await place_order(uow, payments, request, policy), credit, found.order_id


@reacts_to(ExchangeCancelled)
async def give_credit_back(uow: UnitOfWork, cancelled: ExchangeCancelled) -> None:
    """The return whose value paid a cancelled exchange is open again: refunded or exchanged
    anew, its credit is never forfeited."""
    return_id, exchange_number, now = cancelled.return_id, cancelled.exchange_number, cancelled.at
    found = await uow.lock(Return, return_id, what="return", field="orderId")
    if ReturnStatus(found.status) is not ReturnStatus.EXCHANGED:
        return  # closed meanwhile by staff: the credit is theirs to settle with issueRefund
    RETURN.move(found, ReturnStatus.INSPECTED, return_id)
    found.version += 1
    found.updated_at = now
    assert found.id is not None
    uow.record(
        ReturnReopened(
            order_id=found.order_id,
            number=order_number(found.order_id),
            return_id=found.id,
            cancelled_exchange=exchange_number,
        )
    )
