from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, text

from api.db import Database
from api.errors import IdempotencyConflict, InvalidInput, NotFound
from api.events.models import Event
from api.inventory.errors import InsufficientStock
from api.inventory.models import InventoryLevel, InventoryMovement
from api.inventory.service import set_safety_stock
from api.orders import routing
from api.orders.models import Allocation, Order, OrderLine, Shipment, order_number, order_number_sql
from api.orders.placement import RESERVATION_ATTEMPTS, hash_tracking_token, place_order
from api.orders.requests import ShippingAddress
from api.orders.routing import simulate_routing
from api.orders.statuses import OrderStatus
from api.payments.models import Payment, PaymentTransaction
from api.payments.provider import PaymentDeclined, PaymentFailed
from tests.conftest import StatementCounter
from tests.factories import receive
from tests.invariants import assert_invariants
from tests.service.orders.conftest import POTSDAM, Shop, order_request, row_counts


async def test_an_order_is_confirmed_reserved_paid_and_announced(shop: Shop) -> None:
    placed = await shop.place(("TEE-M", 2))
    order = placed.order
    assert (order.status, order.payment_status, order.fulfilment_status) == (
        "CONFIRMED",
        "AUTHORIZED",
        "UNFULFILLED",
    )
    # Potsdam is nearest to Berlin (local band): 2 x 20.00 + 3.90 shipping, 19 % VAT
    assert (order.subtotal, order.shipping_total) == (4000, 390)
    assert order.tax_total == round((4000 + 390) * 0.19)
    assert order.total == order.subtotal + order.shipping_total + order.tax_total
    assert order.tracking_token_hash == hash_tracking_token(placed.tracking_token)
    assert order.routing_decision["allocations"] == [
        {"locationId": shop.berlin.id, "sku": "TEE-M", "quantity": 2}
    ]
    async with shop.database.session() as session:
        level = (
            await session.execute(
                select(InventoryLevel).where(InventoryLevel.location_id == shop.berlin.id)
            )
        ).scalar_one()
        allocations = list((await session.execute(select(Allocation))).scalars())
        shipment = (await session.execute(select(Shipment))).scalar_one()
        payment = (await session.execute(select(Payment))).scalar_one()
        transaction = (await session.execute(select(PaymentTransaction))).scalar_one()
        events = list((await session.execute(select(Event.type).order_by(Event.id))).scalars())
        reservation = (
            await session.execute(
                select(InventoryMovement).where(InventoryMovement.kind == "reservation")
            )
        ).scalar_one()
    assert (level.on_hand, level.reserved) == (10, 2)
    assert [(a.location_id, a.quantity, a.status) for a in allocations] == [
        (shop.berlin.id, 2, "RESERVED")
    ]
    assert (payment.amount_authorized, transaction.kind, transaction.succeeded) == (
        order.total,
        "AUTHORIZE",
        True,
    )
    assert reservation.reference == order_number(order.id)  # type: ignore[arg-type]
    # the stock at Berlin leaves in one shipment, waiting to be picked
    assert (shipment.order_id, shipment.location_id, shipment.status) == (
        order.id,
        shop.berlin.id,
        "PENDING",
    )
    assert [a.shipment_id for a in allocations] == [shipment.id]
    assert events[-3:] == ["CUSTOMER_CREATED", "SHIPMENT_CREATED", "ORDER_PLACED"]
    await assert_invariants(shop.database)


async def test_the_same_customer_is_linked_not_duplicated(shop: Shop) -> None:
    first = await shop.place()
    second = await shop.place(customer_email="ADA@example.com", customer_name="Someone")
    assert first.order.customer_id == second.order.customer_id


@pytest.mark.parametrize(
    ("token", "error"),
    [
        ("tok_chargeDeclined", PaymentDeclined),
        ("tok_insufficientFunds", PaymentDeclined),
        ("tok_unknown", PaymentDeclined),
        ("tok_processingError", PaymentFailed),
    ],
)
async def test_a_failed_payment_creates_nothing_and_reserves_nothing(
    shop: Shop, token: str, error: type[Exception]
) -> None:
    before = await row_counts(shop.database)
    with pytest.raises(error):
        await shop.place(("TEE-M", 1), payment_token=token, customer_email="new@example.com")
    assert await row_counts(shop.database) == before
    await assert_invariants(shop.database)


async def test_a_payment_under_review_puts_the_order_on_hold(shop: Shop) -> None:
    placed = await shop.place(payment_token="tok_review")
    assert (placed.order.status, placed.order.status_before_hold) == ("ON_HOLD", "CONFIRMED")


async def test_out_of_stock_names_the_sku_and_what_is_available(shop: Shop) -> None:
    before = await row_counts(shop.database)
    with pytest.raises(InsufficientStock) as refused:
        await shop.place(("TEE-L", 6))
    assert refused.value.data == {"sku": "TEE-L", "requested": 6, "available": 5}
    assert refused.value.field == ["lines", "0", "quantity"]
    assert await row_counts(shop.database) == before


async def test_a_single_location_beats_a_nearer_split(shop: Shop) -> None:
    placed = await shop.place(("TEE-M", 1), ("TEE-L", 1))
    assert {a["locationId"] for a in placed.order.routing_decision["allocations"]} == {
        shop.munich.id
    }


async def test_split_when_no_location_holds_everything(shop: Shop) -> None:
    placed = await shop.place(("TEE-M", 15))
    allocations = placed.order.routing_decision["allocations"]
    assert sorted((a["locationId"], a["quantity"]) for a in allocations) == sorted(
        [(shop.berlin.id, 10), (shop.munich.id, 5)]
    )
    # two shipments: local from Berlin, regional (under 500 km) from Munich
    assert placed.order.shipping_total == 390 + 490
    await assert_invariants(shop.database)


async def test_safety_stock_is_never_sold(shop: Shop) -> None:
    async with shop.database.unit_of_work("staff:1") as uow:
        await set_safety_stock(uow, location_id=shop.munich.id, sku_code="TEE-L", quantity=4)
    with pytest.raises(InsufficientStock) as refused:
        await shop.place(("TEE-L", 2))
    assert refused.value.data["available"] == 1


async def test_backorderable_skus_are_backordered_with_a_promise(shop: Shop) -> None:
    placed = await shop.place(("MUG", 3))
    async with shop.database.session() as session:
        line = (await session.execute(select(OrderLine))).scalar_one()
    assert (line.quantity_allocated, line.quantity_backordered) == (0, 3)
    assert line.backorder_promised_at is not None
    assert line.backorder_promised_at - placed.order.placed_at == timedelta(days=14)
    assert placed.order.status == OrderStatus.CONFIRMED
    await assert_invariants(shop.database)


async def test_lines_naming_the_same_sku_are_merged(shop: Shop) -> None:
    placed = await shop.place(("TEE-M", 1), ("TEE-M", 2))
    async with shop.database.session() as session:
        lines = list((await session.execute(select(OrderLine))).scalars())
    assert [(line.quantity, line.quantity_allocated) for line in lines] == [(3, 3)]
    assert placed.order.subtotal == 6000


@pytest.mark.parametrize(
    ("overrides", "error", "field"),
    [
        ({"lines": []}, InvalidInput, ["lines"]),
        ({"channel": "nope"}, NotFound, ["channel"]),
        ({"customer_email": "not-an-email"}, InvalidInput, ["customer", "email"]),
        ({"customer_name": " "}, InvalidInput, ["customer", "name"]),
        ({"payment_token": ""}, InvalidInput, ["payment", "token"]),
        ({"external_reference": "x" * 101}, InvalidInput, ["externalReference"]),
        (
            {"address": ShippingAddress("A", "B", "C", "1", "Germany")},
            InvalidInput,
            ["shippingAddress", "country"],
        ),
        (
            {"address": ShippingAddress("A", "B", "Atlantis", "1", "ZZ")},
            InvalidInput,
            ["shippingAddress"],
        ),
        (
            {"address": ShippingAddress("A", "B", "C", "1", "DE", latitude=1.0)},
            InvalidInput,
            ["shippingAddress", "latitude"],
        ),
        (
            {"address": ShippingAddress("A", "B", "C", "1", "DE", latitude=91.0, longitude=1.0)},
            InvalidInput,
            ["latitude"],
        ),
        (
            {"address": ShippingAddress("", "B", "C", "1", "DE")},
            InvalidInput,
            ["shippingAddress", "name"],
        ),
    ],
)
async def test_invalid_orders_write_nothing(
    shop: Shop, overrides: dict[str, object], error: type[Exception], field: list[str]
) -> None:
    before = await row_counts(shop.database)
    with pytest.raises(error) as refused:
        await shop.place(**overrides)
    assert refused.value.field == field  # type: ignore[attr-defined]
    assert await row_counts(shop.database) == before


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        ([("NOPE", 1)], ["lines", "0", "sku"]),
        ([("TEE-M", 0)], ["lines", "0", "quantity"]),
        ([("TEE-M", -1)], ["lines", "0", "quantity"]),
        ([("TEE-M", 6000), ("TEE-M", 5000)], ["lines", "0", "quantity"]),
        ([(" ", 1)], ["lines", "0", "sku"]),
    ],
)
async def test_invalid_lines_write_nothing(
    shop: Shop, lines: list[tuple[str, int]], field: list[str]
) -> None:
    before = await row_counts(shop.database)
    with pytest.raises((InvalidInput, NotFound)) as refused:
        await shop.place(*lines)
    assert refused.value.field == field
    assert await row_counts(shop.database) == before


async def test_an_inactive_sku_is_not_for_sale(shop: Shop) -> None:
    from api.catalog.models import Sku
    from api.catalog.service import SkuChanges, update_sku

    async with shop.database.session() as session:
        sku = (await session.execute(select(Sku).where(Sku.code == "TEE-L"))).scalar_one()
    async with shop.database.unit_of_work("staff:1") as uow:
        await update_sku(uow, sku_id=sku.id, changes=SkuChanges(active=False))  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        await shop.place(("TEE-L", 1))


async def test_an_address_without_coordinates_is_geocoded_offline(shop: Shop) -> None:
    munich_address = ShippingAddress("B", "Marienplatz 1", "München", "80331", "DE")
    placed = await shop.place(("TEE-M", 1), address=munich_address)
    assert placed.order.routing_decision["allocations"][0]["locationId"] == shop.munich.id


async def test_an_idempotency_key_replays_the_first_order(shop: Shop) -> None:
    first = await shop.place(idempotency_key="checkout-1")
    before = await row_counts(shop.database)
    again = await shop.place(idempotency_key="checkout-1")
    assert (again.order.id, again.tracking_token, again.replayed) == (
        first.order.id,
        first.tracking_token,
        True,
    )
    assert await row_counts(shop.database) == before
    with pytest.raises(IdempotencyConflict):
        await shop.place(("TEE-M", 2), idempotency_key="checkout-1")


async def test_an_expired_idempotency_key_places_a_new_order(shop: Shop) -> None:
    from dataclasses import replace

    first = await shop.place(idempotency_key="checkout-1")
    shop.policy = replace(shop.policy, idempotency_ttl=timedelta(0))
    second = await shop.place(idempotency_key="checkout-1")
    assert second.order.id != first.order.id and not second.replayed


async def test_simulated_routing_is_what_placement_then_does(shop: Shop) -> None:
    request = order_request(("TEE-M", 12), ("TEE-L", 1))
    async with shop.database.session() as session:
        simulation = await simulate_routing(
            session, request.lines, request.address, request.shipping_speed, shop.policy
        )
    before = await row_counts(shop.database)
    placed = await shop.place(("TEE-M", 12), ("TEE-L", 1))
    assert simulation.decision == placed.order.routing_decision
    assert simulation.totals.total == placed.order.total
    async with shop.database.session() as session:
        assert (await session.execute(select(Order))).scalars().all()
    assert before["reserved"] == 0


async def test_many_orders_keep_the_invariants(shop: Shop) -> None:
    for quantity in (1, 2, 3):
        await shop.place(("TEE-M", quantity), ("TEE-L", 1))
    with pytest.raises(InsufficientStock):
        await shop.place(("TEE-L", 3))
    await assert_invariants(shop.database)
    assert POTSDAM.city == "Potsdam"


async def test_a_channels_order_number_names_one_order(shop: Shop) -> None:
    from api.errors import AlreadyExists

    await shop.place(external_reference="AMZ-1001")
    before = await row_counts(shop.database)
    with pytest.raises(AlreadyExists) as taken:
        await shop.place(external_reference="AMZ-1001", customer_email="bob@example.com")
    assert taken.value.field == ["externalReference"]
    assert await row_counts(shop.database) == before


async def test_a_two_line_order_with_a_key_costs_seven_statements(
    shop: Shop, count_statements: StatementCounter
) -> None:
    """The key, the SKUs with their stock, the customer, the reservation, the payment call
    (committed before the provider hears of it), the order's rows in one statement (settling
    that call), the events."""
    if shop.database.is_sqlite:
        pytest.skip("SQLite writes an order's rows one statement each; the budget is PostgreSQL's")
    await shop.place(("TEE-M", 1), customer_email="warm@example.com")  # channel id remembered
    count_statements.statements.clear()
    await shop.place(("TEE-M", 1), ("TEE-L", 1), idempotency_key="counted")
    assert count_statements.count <= 7, "\n".join(s[:50] for s in count_statements.statements)


@pytest.mark.postgresql
async def test_the_database_numbers_orders_as_the_api_does(pg_database: Database) -> None:
    async with pg_database.reader() as reader:
        for order_id in (1, 42, 999_999, 1_000_000, 123_456_789):
            found = await reader.execute(text(f"SELECT {order_number_sql(str(order_id))}"))
            assert found.scalar_one() == order_number(order_id)


async def test_an_order_that_keeps_losing_the_race_names_the_sku_it_lost(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each time the order has planned, another order takes all of TEE-L before it reserves:
    after its last attempt it is refused naming TEE-L, not its first line, and holds nothing."""
    if shop.database.is_sqlite:
        pytest.skip("two writers at once need PostgreSQL")
    real_plan = routing.plan_routing
    attempts = 0
    racing: list[object] = []

    async def plan_then_lose_the_race(*args: Any, **kwargs: Any) -> Any:
        nonlocal attempts
        if racing:
            return await real_plan(*args, **kwargs)  # the rival plans as usual
        if attempts:
            await receive(shop.database, shop.munich, "TEE-L", 5)
        attempts += 1
        planned = await real_plan(*args, **kwargs)
        rival = order_request(("TEE-L", 5), customer_email=f"rival{attempts}@example.com")
        racing.append(rival)
        try:
            async with shop.database.unit_of_work("staff:2") as uow:
                await place_order(uow, shop.payments, rival, shop.policy)
        finally:
            racing.clear()
        return planned

    monkeypatch.setattr(routing, "plan_routing", plan_then_lose_the_race)
    with pytest.raises(InsufficientStock) as refused:
        await shop.place(("TEE-M", 1), ("TEE-L", 1))
    assert attempts == RESERVATION_ATTEMPTS
    assert refused.value.data["sku"] == "TEE-L"
    async with shop.database.session() as session:
        orders = list((await session.execute(select(Order.customer_id))).scalars())
    assert len(orders) == RESERVATION_ATTEMPTS  # the rivals', none of the loser's
    await assert_invariants(shop.database)
