from __future__ import annotations

import pytest
from sqlalchemy import select

from api.errors import IllegalTransition, InvalidInput, NotFound
from api.inventory.models import InventoryLevel
from api.orders.changes import LineCancellation, cancel_order, hold_order, release_order_hold
from api.orders.models import Order, OrderLine
from api.payments.models import Payment, PaymentTransaction
from tests.invariants import assert_invariants
from tests.service.orders.conftest import Shop, row_counts


async def reserved_at(shop: Shop, location_id: int) -> int:
    async with shop.database.session() as session:
        levels = await session.execute(
            select(InventoryLevel.reserved).where(InventoryLevel.location_id == location_id)
        )
        return sum(levels.scalars())


async def cancel(shop: Shop, order_id: int, lines: list[LineCancellation] | None = None) -> Order:
    async with shop.database.unit_of_work("staff:1") as uow:
        return await cancel_order(
            uow, shop.payments, order_id=order_id, reason="customer asked", lines=lines
        )


async def test_cancelling_releases_reservations_and_voids_the_payment(shop: Shop) -> None:
    placed = await shop.place(("TEE-M", 12), ("MUG", 2))
    cancelled = await cancel(shop, placed.order.id)  # type: ignore[arg-type]
    assert (cancelled.status, cancelled.payment_status, cancelled.cancel_reason) == (
        "CANCELLED",
        "VOIDED",
        "customer asked",
    )
    assert cancelled.total == 0
    assert await reserved_at(shop, shop.berlin.id) == 0
    assert await reserved_at(shop, shop.munich.id) == 0
    async with shop.database.session() as session:
        lines = list((await session.execute(select(OrderLine))).scalars())
        kinds = list((await session.execute(select(PaymentTransaction.kind))).scalars())
        payment = (await session.execute(select(Payment))).scalar_one()
    assert all(line.quantity_cancelled == line.quantity for line in lines)
    assert kinds == ["AUTHORIZE", "VOID"] and payment.voided
    assert placed.order.total > 0 and shop.payments.voided
    await assert_invariants(shop.database)


async def test_cancelling_some_units_keeps_the_rest(shop: Shop) -> None:
    placed = await shop.place(("TEE-M", 12), ("TEE-L", 1))
    async with shop.database.session() as session:
        tee_m = (
            await session.execute(select(OrderLine).where(OrderLine.quantity == 12))
        ).scalar_one()
    order = await cancel(shop, placed.order.id, [LineCancellation(tee_m.id, 5)])  # type: ignore[arg-type]
    assert order.status == "CONFIRMED" and order.payment_status == "AUTHORIZED"
    assert order.subtotal == placed.order.subtotal - 5 * 2000
    async with shop.database.session() as session:
        line = await session.get(OrderLine, tee_m.id)
    assert line is not None and (line.quantity_allocated, line.quantity_cancelled) == (7, 5)
    await assert_invariants(shop.database)


@pytest.mark.parametrize(
    ("line_offset", "units", "error"),
    [(0, 13, InvalidInput), (0, 0, InvalidInput), (99, 1, NotFound)],
)
async def test_cancelling_units_that_are_not_open_is_refused(
    shop: Shop, line_offset: int, units: int, error: type[Exception]
) -> None:
    placed = await shop.place(("TEE-M", 12))
    async with shop.database.session() as session:
        line = (await session.execute(select(OrderLine))).scalar_one()
    before = await row_counts(shop.database)
    with pytest.raises(error):
        await cancel(shop, placed.order.id, [LineCancellation(line.id + line_offset, units)])  # type: ignore[arg-type, operator]
    assert await row_counts(shop.database) == before


async def test_a_cancelled_order_cannot_be_cancelled_or_held_again(shop: Shop) -> None:
    placed = await shop.place()
    await cancel(shop, placed.order.id)  # type: ignore[arg-type]
    with pytest.raises(IllegalTransition):
        await cancel(shop, placed.order.id)  # type: ignore[arg-type]
    async with shop.database.unit_of_work("staff:1") as uow:
        with pytest.raises(IllegalTransition):
            await hold_order(uow, order_id=placed.order.id, reason="fraud check")  # type: ignore[arg-type]


async def test_hold_and_release_return_to_the_previous_status(shop: Shop) -> None:
    placed = await shop.place()
    order_id = placed.order.id
    async with shop.database.unit_of_work("staff:1") as uow:
        held = await hold_order(uow, order_id=order_id, reason="address check")  # type: ignore[arg-type]
    assert (held.status, held.hold_reason, held.status_before_hold) == (
        "ON_HOLD",
        "address check",
        "CONFIRMED",
    )
    async with shop.database.unit_of_work("staff:1") as uow:
        with pytest.raises(IllegalTransition):
            await hold_order(uow, order_id=order_id, reason="again")  # type: ignore[arg-type]
    async with shop.database.unit_of_work("staff:1") as uow:
        released = await release_order_hold(uow, order_id=order_id)  # type: ignore[arg-type]
    assert (released.status, released.hold_reason) == ("CONFIRMED", None)
    async with shop.database.unit_of_work("staff:1") as uow:
        with pytest.raises(IllegalTransition):
            await release_order_hold(uow, order_id=order_id)  # type: ignore[arg-type]


async def test_an_order_under_payment_review_is_released_to_confirmed(shop: Shop) -> None:
    placed = await shop.place(payment_token="tok_review")
    async with shop.database.unit_of_work("staff:1") as uow:
        released = await release_order_hold(uow, order_id=placed.order.id)  # type: ignore[arg-type]
    assert released.status == "CONFIRMED"


async def test_unknown_orders_are_not_found(shop: Shop) -> None:
    with pytest.raises(NotFound):
        await cancel(shop, 999)
