"""The rows an order is made of, beyond the order itself: lines, allocations, payment."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select

from api.db import UnitOfWork
from api.inventory.models import InventoryLevel
from api.locations.models import Location
from api.orders import routing
from api.orders.models import Allocation, Order, OrderLine
from api.orders.routing import OrderPolicy
from api.payments import books
from api.payments.models import Payment, PaymentTransaction
from api.payments.provider import Authorization
from api.purchasing.models import PurchaseOrder, PurchaseOrderLine, outstanding_in_sql
from api.purchasing.statuses import OPEN_PURCHASE_ORDERS
from api.reads import columns
from api.sourcing.rules import RoutingPlan
from api.writes import insert_row

_line_columns = columns(OrderLine)
# Built once: building a statement per order costs more than executing it.
_LINES_INSERT = insert(_line_columns.id.table).returning(
    _line_columns.id, _line_columns.sku_id, sort_by_parameter_order=True
)
_ALLOCATIONS_INSERT = insert(columns(Allocation).id.table)


async def write_lines(
    uow: UnitOfWork,
    order: Order,
    prepared: routing.Prepared,
    plan: RoutingPlan,
    now: datetime,
    policy: OrderPolicy,
) -> dict[int, int]:
    """Inserts the lines; returns sku_id -> line id."""
    rows = await line_rows(uow, order.id, prepared, plan, now, policy)
    result = await uow.session.execute(_LINES_INSERT, rows)
    return {sku_id: line_id for line_id, sku_id in result.all()}


async def line_rows(
    uow: UnitOfWork,
    order_id: int | None,
    prepared: routing.Prepared,
    plan: RoutingPlan,
    now: datetime,
    policy: OrderPolicy,
) -> list[dict[str, Any]]:
    """The order's lines, one per SKU, with what the plan allocated and backordered."""
    allocated: dict[int, int] = {}
    for allocation in plan.allocations:
        allocated[allocation.sku_id] = allocated.get(allocation.sku_id, 0) + allocation.quantity
    promises = await backorder_promises(uow, plan.backorders, now, policy)
    rows = []
    for code, quantity in prepared.quantities.items():
        sku = prepared.skus[code]
        backordered = plan.backorders.get(sku.id, 0)  # type: ignore[arg-type]
        rows.append(
            {
                "order_id": order_id,
                "sku_id": sku.id,
                "quantity": quantity,
                "unit_price": sku.price,
                "quantity_allocated": allocated.get(sku.id, 0),  # type: ignore[arg-type]
                "quantity_backordered": backordered,
                "backorder_promised_at": promises.get(sku.id),  # type: ignore[arg-type]
                "filled_as_placed": backordered == 0,
                "was_backordered": backordered > 0,
                "created_at": now,
            }
        )
    return rows


async def backorder_promises(
    uow: UnitOfWork, backorders: dict[int, int], now: datetime, policy: OrderPolicy
) -> dict[int, datetime]:
    """When backordered units should arrive: when the earliest purchase orders still expected
    at shipping locations add up to them; else soon when enough stock is already on its way
    (incoming, e.g. a transfer); else after the replenishment lead time."""
    if not backorders:
        return {}
    level, location = columns(InventoryLevel), columns(Location)
    incoming = await uow.session.execute(
        select(level.sku_id, func.sum(level.incoming))
        .join(location.id.table, location.id == level.location_id)
        .where(location.ships.is_(True), level.sku_id.in_(backorders))
        .group_by(level.sku_id)
    )
    on_the_way = {sku_id: int(units) for sku_id, units in incoming.all()}
    purchased = await _purchase_arrivals(uow, backorders)

    def promise(sku_id: int, units: int) -> datetime:
        expected = 0
        for expected_at, outstanding in purchased.get(sku_id, []):
            expected += outstanding
            if expected >= units:
                return max(expected_at, now)
        enough_incoming = on_the_way.get(sku_id, 0) >= units
        lead_days = policy.incoming_lead_days if enough_incoming else policy.backorder_lead_days
        return now + timedelta(days=lead_days)

    return {sku_id: promise(sku_id, units) for sku_id, units in backorders.items()}


async def _purchase_arrivals(
    uow: UnitOfWork, backorders: dict[int, int]
) -> dict[int, list[tuple[datetime, int]]]:
    """Units still expected from purchase orders to shipping locations, per SKU, soonest
    first."""
    order, line, location = columns(PurchaseOrder), columns(PurchaseOrderLine), columns(Location)
    rows = await uow.session.execute(
        select(line.sku_id, order.expected_at, outstanding_in_sql(line))
        .join(order.id.table, order.id == line.purchase_order_id)
        .join(location.id.table, location.id == order.location_id)
        .where(
            order.status.in_(OPEN_PURCHASE_ORDERS),
            location.ships.is_(True),
            line.sku_id.in_(backorders),
            line.quantity_received < line.quantity,
        )
        .order_by(order.expected_at, order.id)
    )
    arrivals: dict[int, list[tuple[datetime, int]]] = {}
    for sku_id, expected_at, outstanding in rows.all():
        arrivals.setdefault(sku_id, []).append((expected_at, int(outstanding)))
    return arrivals


async def write_allocations(
    uow: UnitOfWork,
    order_id: int,
    plan: RoutingPlan,
    line_ids: dict[int, int],
    shipment_ids: dict[int, int],
    now: datetime,
) -> None:
    """Inserts the plan's allocations, each into the shipment at its location."""
    if not plan.allocations:
        return
    await uow.session.execute(
        _ALLOCATIONS_INSERT,
        [
            {
                "order_id": order_id,
                "order_line_id": line_ids[a.sku_id],
                "location_id": a.location_id,
                "sku_id": a.sku_id,
                "quantity": a.quantity,
                "reason": a.reason,
                "shipment_id": shipment_ids[a.location_id],
                "created_at": now,
            }
            for a in plan.allocations
        ],
    )


async def write_payment(
    uow: UnitOfWork,
    order: Order,
    authorization: Authorization,
    *,
    provider: str,
    method: str,
    credited: int,
    now: datetime,
) -> None:
    payment, transaction = payment_rows(
        order, authorization, provider=provider, method=method, credited=credited, now=now
    )
    transaction.payment_id = await insert_row(uow.session, payment)
    await insert_row(uow.session, transaction)


def payment_rows(
    order: Order,
    authorization: Authorization,
    *,
    provider: str,
    method: str,
    credited: int,
    now: datetime,
) -> tuple[Payment, PaymentTransaction]:
    """The order's payment, ``credited`` of its total paid by an exchanged return, and its
    authorisation (whose payment id is set once the payment is written)."""
    payment = Payment(
        order_id=order.id,  # type: ignore[arg-type]
        provider=provider,
        method=method,
        currency=order.currency,
        amount_authorized=authorization.amount,
        amount_credited=credited,
        authorization_reference=authorization.reference,
        created_at=now,
    )
    return payment, books.authorization_transaction(authorization, now)
