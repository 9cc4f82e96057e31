from __future__ import annotations

import pytest
from sqlalchemy import select

from api.auth import SYSTEM_ACTOR
from api.catalog.service import SkuFields, create_product
from api.errors import IdempotencyConflict, IllegalTransition, InvalidInput
from api.inventory.errors import InsufficientStock
from api.orders.changes import cancel_order
from api.orders.editing import edit_order
from api.orders.models import Order, OrderLine
from api.orders.requests import LineRequest, ShippingAddress
from api.payments.models import Payment, PaymentTransaction
from tests.factories import receive
from tests.invariants import assert_invariants
from tests.service.orders.conftest import Shop, row_counts


async def edit(
    shop: Shop,
    order_id: int,
    lines: list[tuple[str, int]] | None = None,
    address: ShippingAddress | None = None,
) -> Order:
    async with shop.database.unit_of_work("staff:1") as uow:
        return await edit_order(
            uow,
            shop.payments,
            order_id=order_id,
            lines=[LineRequest(sku, quantity) for sku, quantity in lines]
            if lines is not None
            else None,
            address=address,
            policy=shop.policy,
        )


async def lines_and_payment(shop: Shop) -> tuple[list[tuple[int, int, int]], int, list[str]]:
    async with shop.database.session() as session:
        lines = (await session.execute(select(OrderLine).order_by(OrderLine.id))).scalars()
        rows = [(line.quantity, line.quantity_allocated, line.quantity_cancelled) for line in lines]
        payment = (await session.execute(select(Payment))).scalar_one()
        kinds = list(
            (
                await session.execute(
                    select(PaymentTransaction.kind).order_by(PaymentTransaction.id)
                )
            ).scalars()
        )
    return rows, payment.amount_authorized, kinds


async def test_raising_a_quantity_re_sources_and_authorises_the_difference(shop: Shop) -> None:
    placed = await shop.place(("TEE-M", 2))
    edited = await edit(shop, placed.order.id, [("TEE-M", 12)])  # type: ignore[arg-type]
    rows, authorized, kinds = await lines_and_payment(shop)
    assert rows == [(12, 12, 0)]
    assert edited.total > placed.order.total and authorized == edited.total
    assert kinds == ["AUTHORIZE", "AUTHORIZE"]
    assert {a["locationId"] for a in edited.routing_decision["allocations"]} == {
        shop.berlin.id,
        shop.munich.id,
    }
    await assert_invariants(shop.database)


async def test_removing_and_adding_lines(shop: Shop) -> None:
    placed = await shop.place(("TEE-M", 2), ("TEE-L", 1))
    edited = await edit(shop, placed.order.id, [("TEE-L", 0), ("MUG", 1)])  # type: ignore[arg-type]
    rows, authorized, kinds = await lines_and_payment(shop)
    assert rows == [(2, 2, 0), (1, 0, 1), (1, 0, 0)]
    assert authorized == edited.total and kinds[0] == "AUTHORIZE"
    async with shop.database.session() as session:
        mug = (
            await session.execute(select(OrderLine).where(OrderLine.quantity_backordered == 1))
        ).scalar_one()
    assert mug.unit_price == 1250
    await assert_invariants(shop.database)


async def test_lowering_the_total_voids_the_difference(shop: Shop) -> None:
    placed = await shop.place(("TEE-M", 3))
    edited = await edit(shop, placed.order.id, [("TEE-M", 1)])  # type: ignore[arg-type]
    rows, authorized, kinds = await lines_and_payment(shop)
    assert rows == [(3, 1, 2)] and authorized == edited.total < placed.order.total
    assert kinds == ["AUTHORIZE", "VOID"]
    await assert_invariants(shop.database)


async def test_a_new_address_re_sources_to_the_nearest_location(shop: Shop) -> None:
    placed = await shop.place(("TEE-M", 1))
    munich = ShippingAddress(
        "Bo", "Marienplatz 1", "München", "80331", "DE", latitude=48.137, longitude=11.575
    )
    edited = await edit(shop, placed.order.id, address=munich)  # type: ignore[arg-type]
    assert edited.ship_city == "München"
    assert edited.routing_decision["allocations"][0]["locationId"] == shop.munich.id
    await assert_invariants(shop.database)


async def test_an_edit_that_cannot_be_met_changes_nothing(shop: Shop) -> None:
    placed = await shop.place(("TEE-M", 2))
    before = await row_counts(shop.database)
    with pytest.raises(InsufficientStock):
        await edit(shop, placed.order.id, [("TEE-L", 9)])  # type: ignore[arg-type]
    assert await row_counts(shop.database) == before
    await assert_invariants(shop.database)


@pytest.mark.parametrize(
    ("lines", "address"),
    [
        (None, None),
        ([("TEE-M", 0)], None),
        ([("TEE-M", 1), ("TEE-M", 2)], None),
        ([("TEE-M", -1)], None),
        ([("TEE-L", 0)], None),
    ],
)
async def test_invalid_edits_are_refused(
    shop: Shop, lines: list[tuple[str, int]] | None, address: ShippingAddress | None
) -> None:
    placed = await shop.place(("TEE-M", 2))
    before = await row_counts(shop.database)
    with pytest.raises(InvalidInput):
        await edit(shop, placed.order.id, lines, address)  # type: ignore[arg-type]
    assert await row_counts(shop.database) == before


async def test_a_cancelled_order_cannot_be_edited(shop: Shop) -> None:
    placed = await shop.place(("TEE-M", 2))
    async with shop.database.unit_of_work("staff:1") as uow:
        await cancel_order(uow, shop.payments, order_id=placed.order.id, reason="x")  # type: ignore[arg-type]
    with pytest.raises(IllegalTransition):
        await edit(shop, placed.order.id, [("TEE-M", 1)])  # type: ignore[arg-type]


async def test_an_edit_keeps_the_order_in_its_currency(shop: Shop) -> None:
    async with shop.database.unit_of_work(SYSTEM_ACTOR) as uow:
        skus = [SkuFields(code="CAP-US", name="Cap", price=1500, currency="USD")]
        await create_product(uow, name="Cap", skus=skus)
    await receive(shop.database, shop.berlin, "CAP-US", 5)
    placed = await shop.place(("TEE-M", 2))
    before = await row_counts(shop.database)
    with pytest.raises(InvalidInput, match="priced in USD; this order is in EUR") as refused:
        await edit(shop, placed.order.id, [("TEE-M", 0), ("CAP-US", 1)])  # type: ignore[arg-type]
    assert refused.value.field == ["lines", "1", "sku"]
    with pytest.raises(InvalidInput, match="one currency"):
        await edit(shop, placed.order.id, [("CAP-US", 1)])  # type: ignore[arg-type]
    assert await row_counts(shop.database) == before


async def test_a_keyed_edit_and_cancel_happen_once(shop: Shop) -> None:
    placed = await shop.place(("TEE-M", 2))
    order_id = placed.order.id
    assert order_id is not None

    async def keyed_edit(units: int) -> Order:
        async with shop.database.unit_of_work("staff:1") as uow:
            return await edit_order(
                uow,
                shop.payments,
                order_id=order_id,
                lines=[LineRequest("TEE-M", units)],
                address=None,
                policy=shop.policy,
                idempotency_key="edit-1",
            )

    async def keyed_cancel(reason: str) -> Order:
        async with shop.database.unit_of_work("staff:1") as uow:
            return await cancel_order(
                uow, shop.payments, order_id=order_id, reason=reason, idempotency_key="cancel-1"
            )

    edited = await keyed_edit(4)
    after_edit = await row_counts(shop.database)
    replayed = await keyed_edit(4)
    assert (replayed.version, replayed.total) == (edited.version, edited.total)
    assert await row_counts(shop.database) == after_edit
    _rows, _authorized, kinds = await lines_and_payment(shop)
    assert kinds == ["AUTHORIZE", "AUTHORIZE"]  # the hold was raised once
    with pytest.raises(IdempotencyConflict):
        await keyed_edit(5)
    cancelled = await keyed_cancel("customer asked")
    after_cancel = await row_counts(shop.database)
    assert (await keyed_cancel("customer asked")).status == cancelled.status == "CANCELLED"
    assert await row_counts(shop.database) == after_cancel
    with pytest.raises(IdempotencyConflict):
        await keyed_cancel("another reason")
