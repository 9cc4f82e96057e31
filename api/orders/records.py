"""The rows an order is made of, beyond the order itself: lines, allocations, payment."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, insert, select

from api.db import UnitOfWork
from api.inventory.models import InventoryLevel
from api.locations.models import Location
from api.orders import routing
from api.orders.models import Allocation, Order, OrderLine
from api.orders.routing import OrderPolicy
from api.payments.models import Payment, PaymentTransaction, TransactionKind
from api.payments.provider import Authorization
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
                "order_id": order.id,
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
    result = await uow.session.execute(_LINES_INSERT, rows)
    return {sku_id: line_id for line_id, sku_id in result.all()}


async def backorder_promises(
    uow: UnitOfWork, backorders: dict[int, int], now: datetime, policy: OrderPolicy
) -> dict[int, datetime]:
    """When backordered units should arrive: soon when enough stock is already on its way to
    shipping locations (incoming), else after the replenishment lead time."""
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
    return {
        sku_id: now
        + timedelta(
            days=policy.incoming_lead_days
            if on_the_way.get(sku_id, 0) >= units
            else policy.backorder_lead_days
        )
        for sku_id, units in backorders.items()
    }


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
    now: datetime,
) -> None:
    payment = Payment(
        order_id=order.id,  # type: ignore[arg-type]
        provider=provider,
        method=method,
        currency=order.currency,
        amount_authorized=authorization.amount,
        authorization_reference=authorization.reference,
        created_at=now,
    )
    await insert_row(uow.session, payment)
    await insert_row(
        uow.session,
        PaymentTransaction(
            payment_id=payment.id,  # type: ignore[arg-type]
            kind=TransactionKind.AUTHORIZE,
            amount=authorization.amount,
            succeeded=True,
            provider_reference=authorization.reference,
            created_at=now,
        ),
    )
