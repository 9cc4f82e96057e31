"""The event log's JSON is what partners read (webhooks, the events query, subscriptions): a
shop's whole history, from the demo data through simulated days of orders, fulfilment, returns
and feedback, logs the events recorded in ``event_log.jsonl``, type by type and key by key."""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlmodel import col

from api.auth import Permission, Role
from api.catalog.models import Sku
from api.catalog.service import SkuChanges, update_sku
from api.customers.service import set_preferences
from api.db import Database
from api.dbtypes import simulated_time
from api.events.models import Event
from api.fulfilment.tracking import record_tracking_event
from api.inventory.models import AdjustmentReason, InventoryLevel
from api.inventory.rules import InventoryState
from api.inventory.service import (
    adjust_inventory,
    move_inventory_state,
    receive_inventory,
    settle_discrepancy,
)
from api.inventory.transfers import receive_transfer, transfer_inventory
from api.notifications import outbox
from api.notifications.models import Message
from api.notifications.service import resend
from api.orders.changes import LineCancellation, cancel_order, hold_order, release_order_hold
from api.orders.delays import mark_delayed
from api.orders.editing import edit_order
from api.orders.models import Order, OrderLine, Shipment
from api.orders.placement import place_order
from api.orders.requests import LineRequest
from api.orders.routing import OrderPolicy
from api.orders.statuses import OrderStatus, ShipmentStatus
from api.payments.provider import TestPaymentProvider
from api.planning.alerts import catch_up, refresh_plans
from api.planning.plans import PlanningPolicy
from api.purchasing.service import (
    PurchaseLine,
    cancel_purchase_order,
    create_purchase_order,
    order_purchase_order,
    receive_purchase_order,
    remove_supplier_sku,
)
from api.returns.models import ReturnReason, ReturnResolution
from api.returns.service import ReturnLineRequest, close_return, reject_return, request_return
from api.seed import seed_demo_data
from api.settings import Settings
from api.users.service import create_api_key, create_user, revoke_api_key
from api.users.sessions import deactivate_user, reactivate_user, revoke_staff_tokens
from api.webhooks.service import create_webhook, delete_webhook
from tests.factories import TEST_SECRET
from tests.service.orders.conftest import order_request
from tests.service.simulation.test_simulator import FIRST_DAY, simulated

GOLDEN = Path(__file__).with_name("event_log.jsonl")
SAMPLES_PER_TYPE = 8
REWRITE = "OMS_REWRITE_EVENT_LOG"
"""Set to write ``event_log.jsonl`` afresh from the code as it is (then review the diff)."""
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")
DRAWN_PER_RUN = {"token", "trackingToken", "reference", "providerReference"}
"""Keys whose values are drawn afresh on every run (random tokens)."""


def _steady(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {name: _steady(item, name) for name, item in value.items()}
    if isinstance(value, list):
        return [_steady(item) for item in value]
    if key in DRAWN_PER_RUN and value is not None:
        return f"<{key}>"
    return value


PLANNING = PlanningPolicy(
    service_level=0.95, review_days=7, history_days=28, default_lead_time_days=10,
    overstock_days=60, short_days=7, target_days=28,
)  # fmt: skip


async def _staff_commands(database: Database) -> None:
    """The commands a simulated day does not make: staff and partners at work."""
    payments, policy = TestPaymentProvider(), OrderPolicy()
    await refresh_plans(database, PLANNING, FIRST_DAY + timedelta(days=9))
    await catch_up(database, PLANNING)  # the alerts follow the log from here on

    async def run(command: Any, *arguments: Any, **named: Any) -> Any:
        async with database.unit_of_work("staff:1") as uow:
            return await command(uow, *arguments, **named)

    async def first(statement: Any) -> Any:
        async with database.session() as session:
            return (await session.execute(statement)).scalars().first()

    user = await run(
        create_user, email="leaver@example.com", password="a-long-password", role=Role.SUPPORT
    )
    await run(revoke_staff_tokens, user_id=user.id)
    await run(deactivate_user, user_id=user.id, by_user_id=1)
    await run(reactivate_user, user_id=user.id)
    key = await run(create_api_key, name="partner", scopes=["orders:read"])
    await run(revoke_api_key, api_key_id=key.api_key.id)
    webhook = await run(
        create_webhook,
        url="https://partner.example/hooks",
        event_types=["ORDER_PLACED"],
        owner_permissions=frozenset(Permission),
    )
    await run(delete_webhook, webhook.id, owned_by=None)

    level = await first(
        select(InventoryLevel)
        .where(col(InventoryLevel.on_hand) > 20)
        .order_by(col(InventoryLevel.id))
    )
    sku = await first(select(Sku).where(col(Sku.id) == level.sku_id))
    await run(
        update_sku, sku_id=sku.id, changes=SkuChanges(price=sku.price + 100, allow_backorder=True)
    )
    at = dict(location_id=level.location_id, sku_code=sku.code)
    await run(adjust_inventory, **at, delta=-1, reason=AdjustmentReason.CYCLE_COUNT)
    await run(
        move_inventory_state,
        **at,
        quantity=1,
        source=InventoryState.AVAILABLE,
        target=InventoryState.DAMAGED,
    )
    await run(
        move_inventory_state,
        **at,
        quantity=2,
        source=InventoryState.AVAILABLE,
        target=InventoryState.DISCREPANCY,
    )
    await run(settle_discrepancy, **at, found=1, lost=1, note="counted")
    other = 2 if level.location_id == 1 else 1
    transfer = await run(
        transfer_inventory,
        from_location_id=level.location_id,
        to_location_id=other,
        sku_code=sku.code,
        quantity=2,
    )
    await run(receive_transfer, transfer_id=transfer.id)
    supplier = "NORDTEX"
    purchase = await run(
        create_purchase_order,
        supplier_code=supplier,
        location_id=level.location_id,
        lines=[PurchaseLine(sku.code, 12, 500)],
    )
    await run(order_purchase_order, purchase_order_id=purchase.id)
    await run(receive_purchase_order, purchase_order_id=purchase.id)
    cancelled = await run(
        create_purchase_order,
        supplier_code=supplier,
        location_id=level.location_id,
        lines=[PurchaseLine(sku.code, 6, 500)],
    )
    await run(cancel_purchase_order, purchase_order_id=cancelled.id, reason="ordered twice")

    placed = await run(place_order, payments, order_request((sku.code, 2), (sku.code, 1)), policy)
    order_id = placed.order.id
    await run(hold_order, order_id=order_id, reason="address check")
    await run(release_order_hold, order_id=order_id)
    await run(
        edit_order,
        payments,
        order_id=order_id,
        lines=[LineRequest(sku.code, 4)],
        address=None,
        policy=policy,
    )
    line = await first(select(OrderLine).where(col(OrderLine.order_id) == order_id))
    await run(
        cancel_order,
        payments,
        order_id=order_id,
        reason="one too many",
        lines=[LineCancellation(line.id, 1)],
    )
    async with database.session() as session:
        stocked = select(func.sum(col(InventoryLevel.on_hand))).where(
            col(InventoryLevel.sku_id) == sku.id
        )
        on_hand = (await session.execute(stocked)).scalar_one()
    await run(place_order, payments, order_request((sku.code, on_hand + 3)), policy)
    await run(receive_inventory, **at, quantity=10)

    shipped = await first(
        select(Shipment)
        .where(col(Shipment.status) == ShipmentStatus.SHIPPED)
        .order_by(col(Shipment.id))
    )
    await run(
        record_tracking_event,
        tracking_number=shipped.tracking_number,
        status=ShipmentStatus.IN_TRANSIT,
        occurred_at=shipped.shipped_at,
        description="sorted at hub",
    )
    delivered = (
        select(Order).where(col(Order.status) == OrderStatus.DELIVERED).order_by(col(Order.id))
    )
    order = await first(
        delivered.where(
            ~col(Order.id).in_(select(col(Event.order_id)).where(col(Event.type).like("RETURN%")))
        )
    )
    line = await first(select(OrderLine).where(col(OrderLine.order_id) == order.id))
    asked = await run(
        request_return,
        order_id=order.id,
        resolution=ReturnResolution.REFUND,
        window=timedelta(days=3650),
        lines=[ReturnLineRequest(line.id, 1, ReturnReason.CHANGED_MIND)],
    )
    await run(reject_return, return_id=asked.id, reason="worn")
    await run(close_return, return_id=asked.id)
    await run(remove_supplier_sku, supplier_code=supplier, sku_code=sku.code)
    await catch_up(database, PLANNING)
    await run(set_preferences, customer_id=order.customer_id, receives_surveys=False, locale="de")
    await mark_delayed(database)
    await outbox.catch_up(database, Settings(secret_key=TEST_SECRET))
    message = await first(select(Message).order_by(col(Message.id)))
    await run(resend, message.id)


async def _history(database: Database) -> list[dict[str, Any]]:
    with simulated_time(datetime.combine(FIRST_DAY, time(), UTC)):
        await seed_demo_data(database, orders=False)
    await simulated(database, days=8, orders_per_day=8)
    with simulated_time(datetime.combine(FIRST_DAY + timedelta(days=9), time(9), UTC)):
        await _staff_commands(database)
    async with database.session() as session:
        events = (await session.execute(select(Event).order_by(col(Event.id)))).scalars()
        return [
            {
                "type": event.type,
                "aggregate": [event.aggregate_type, event.aggregate_id],
                "orderId": event.order_id,
                "payload": _steady(event.payload),
            }
            for event in events
        ]


def _shape(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((name, _shape(item)) for name, item in value.items()))
    if isinstance(value, list):
        return tuple(sorted({_shape(item) for item in value}, key=repr))
    return type(value).__name__


def _samples(logged: list[dict[str, Any]]) -> list[str]:
    """The first events of each type, and every event whose keys (or their types) differ from
    all before it: every shape a partner may read, in a file small enough to review."""
    seen: dict[str, int] = {}
    shapes: set[Any] = set()
    kept = []
    for event in logged:
        shape = (event["type"], _shape(event["payload"]))
        seen[event["type"]] = seen.get(event["type"], 0) + 1
        if seen[event["type"]] <= SAMPLES_PER_TYPE or shape not in shapes:
            kept.append(json.dumps(event, sort_keys=True, ensure_ascii=False))
        shapes.add(shape)
    return kept


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_shops_history_logs_the_recorded_json(database: Database) -> None:
    logged = _samples(await _history(database))
    if os.environ.get(REWRITE):
        GOLDEN.write_text("\n".join(logged) + "\n")
    recorded = GOLDEN.read_text().splitlines()
    assert len(recorded) > 200
    for now, then in zip(logged, recorded, strict=True):
        assert json.loads(now) == json.loads(then)
