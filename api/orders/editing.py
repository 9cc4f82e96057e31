"""editOrder: change quantities, add or remove lines, change the address — before fulfilment.

The edit re-sources the whole order from scratch (its reservations are given back and taken
again), and adjusts the authorisation by the difference in total; all of it or none of it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import insert

from api.db import UnitOfWork
from api.dbtypes import utcnow
from api.errors import InvalidInput
from api.idempotency import service as idempotency
from api.inventory import reservations
from api.inventory.models import MovementKind
from api.orders import pricing, routing, rules
from api.orders.changes import (
    holding_allocations,
    lock_order,
    order_lines_of,
    payment_of,
    release_allocations,
    sku_codes,
)
from api.orders.events import OrderEdited
from api.orders.models import Order, OrderLine, order_number
from api.orders.placement import HANDLING_DAYS, reserve_plan
from api.orders.records import backorder_promises, write_allocations
from api.orders.requests import (
    MAX_LINE_QUANTITY,
    LineRequest,
    ShippingAddress,
    address_of,
    checked_address,
    merged_lines,
)
from api.orders.routing import OrderPolicy
from api.orders.shipments import cancel_empty_shipments, shipments_for
from api.orders.statuses import OrderStatus
from api.payments import books, calls
from api.payments import rules as payment_rules
from api.payments.calls import ProviderCall
from api.payments.models import CallKind
from api.payments.provider import PaymentProvider
from api.shipping.speeds import ShippingSpeed


def _wanted(current: dict[str, int], changes: list[LineRequest] | None) -> dict[str, int]:
    """SKU code -> units the order should hold after the edit (0 removes a line)."""
    wanted = dict(current)
    seen: set[str] = set()
    for index, change in enumerate(changes or []):
        code = change.sku.strip()
        if code in seen:
            raise InvalidInput(f"{code} appears twice in the edit", field=["lines", str(index)])
        seen.add(code)
        if change.quantity == 0 and code not in current:
            raise InvalidInput(f"{code} is not on this order", field=["lines", str(index), "sku"])
        if not 0 <= change.quantity <= MAX_LINE_QUANTITY:
            raise InvalidInput(
                f"quantity must be 0 to {MAX_LINE_QUANTITY} (0 removes the line)",
                field=["lines", str(index), "quantity"],
            )
        wanted[code] = change.quantity
    if not any(wanted.values()):
        raise InvalidInput("an order keeps at least one unit: cancel it instead", field=["lines"])
    return wanted


async def edit_order(
    uow: UnitOfWork,
    payments: PaymentProvider,
    *,
    order_id: int,
    lines: list[LineRequest] | None,
    address: ShippingAddress | None,
    policy: OrderPolicy,
    idempotency_key: str | None = None,
) -> Order:
    if lines is None and address is None:
        raise InvalidInput("nothing to change: give lines or a shipping address", field=["input"])
    order = await lock_order(uow, order_id)
    request = {
        "orderId": order_id,
        "lines": [[line.sku, line.quantity] for line in lines] if lines is not None else None,
        "address": vars(address) if address is not None else None,
    }
    if first := await idempotency.first_row(uow, Order, idempotency_key, "editOrder", request):
        return first
    number = order_number(order_id)
    rules.require_editable(OrderStatus(order.status), number)
    order_lines = await order_lines_of(uow, order_id)
    codes = await sku_codes(uow, {line.sku_id for line in order_lines})
    active = {
        codes[line.sku_id]: line.quantity_allocated + line.quantity_backordered
        for line in order_lines
    }
    wanted = _wanted(active, lines)
    new_columns = checked_address(address) if address is not None else None
    new_address = address or address_of(order)
    holding = await holding_allocations(uow, order_id)
    await release_allocations(uow, [(a, a.quantity) for a in holding], reference=number)

    demand = merged_lines([LineRequest(code, units) for code, units in wanted.items() if units])
    prepared = await routing.prepare(
        uow.session, demand, new_address, ShippingSpeed(order.shipping_speed)
    )
    _require_currency(prepared, order.currency, lines or [])
    plan, holds, _states = await reserve_plan(uow, prepared, policy)
    order_lines = await _allocate_anew(
        uow, order, order_lines, codes, wanted, prepared, plan, policy
    )
    await reservations.record(uow, holds, MovementKind.RESERVATION, reference=number)
    previous_total = order.total
    await _reprice(uow, payments, order, order_lines, plan, prepared.speed)
    for column, value in (new_columns or {}).items():
        setattr(order, column, value)
    order.routing_decision = plan.decision
    order.version += 1
    order.updated_at = utcnow()
    uow.record(
        OrderEdited(
            order_id=order_id,
            number=number,
            lines={code: units for code, units in wanted.items()},
            address_changed=address is not None,
            previous_total=previous_total,
            total=order.total,
            allocations=plan.decision["allocations"],
        )
    )
    await idempotency.remember_row(uow, idempotency_key, order_id)
    await uow.commit()
    return order


async def _allocate_anew(
    uow: UnitOfWork,
    order: Order,
    order_lines: list[OrderLine],
    codes: dict[int, str],
    wanted: dict[str, int],
    prepared: routing.Prepared,
    plan: routing.RoutingPlan,
    policy: OrderPolicy,
) -> list[OrderLine]:
    """The order's lines, allocations and shipments as the new plan has them (its old
    allocations released before): the lines as they now are."""
    assert order.id is not None
    promises = await backorder_promises(uow, plan.backorders, utcnow(), policy)
    new_lines = _apply_plan(order.id, order_lines, codes, wanted, prepared, plan, promises)
    if new_lines:
        await uow.session.execute(insert(OrderLine), new_lines)
    await uow.session.flush()
    order_lines = await order_lines_of(uow, order.id)
    line_ids = {line.sku_id: line.id for line in order_lines if line.id is not None}
    now = utcnow()
    locations = {allocation.location_id for allocation in plan.allocations}
    shipment_ids = await shipments_for(uow, order.id, order.currency, locations, now)
    await write_allocations(uow, order.id, plan, line_ids, shipment_ids, now)
    await cancel_empty_shipments(uow, order.id, reason="order edited")
    return order_lines


def _require_currency(
    prepared: routing.Prepared, currency: str, changes: list[LineRequest]
) -> None:
    """The order was authorised in its currency: an edit cannot bring SKUs priced in another,
    even by replacing every line."""
    for index, change in enumerate(changes):
        sku = prepared.skus.get(change.sku.strip())
        if sku is not None and sku.currency != currency:
            raise InvalidInput(
                f"{sku.code} is priced in {sku.currency}; this order is in {currency}",
                field=["lines", str(index), "sku"],
            )


def _apply_plan(
    order_id: int,
    order_lines: list[OrderLine],
    codes: dict[int, str],
    wanted: dict[str, int],
    prepared: routing.Prepared,
    plan: routing.RoutingPlan,
    promises: dict[int, datetime],
) -> list[dict[str, object]]:
    """Sets each line's allocated and backordered units from the plan; a unit more is ordered,
    a unit less is cancelled. Returns the rows of lines the edit adds."""
    by_code = {codes[line.sku_id]: line for line in order_lines}
    allocated: dict[int, int] = {}
    for allocation in plan.allocations:
        allocated[allocation.sku_id] = allocated.get(allocation.sku_id, 0) + allocation.quantity
    new_lines: list[dict[str, object]] = []
    for code, units in wanted.items():
        sku = prepared.skus.get(code)
        line = by_code.get(code)
        sku_allocated = allocated.get(sku.id, 0) if sku else 0  # type: ignore[arg-type]
        sku_backordered = plan.backorders.get(sku.id, 0) if sku else 0  # type: ignore[arg-type]
        if line is None:
            assert sku is not None
            new_lines.append(
                {
                    "order_id": order_id,
                    "sku_id": sku.id,
                    "quantity": units,
                    "unit_price": sku.price,
                    "quantity_allocated": sku_allocated,
                    "quantity_backordered": sku_backordered,
                    "backorder_promised_at": promises.get(sku.id),  # type: ignore[arg-type]
                    "filled_as_placed": sku_backordered == 0,
                    "was_backordered": sku_backordered > 0,
                    "created_at": utcnow(),
                }
            )
            continue
        before = line.quantity_allocated + line.quantity_backordered
        if units > before:
            line.quantity += units - before
        else:
            line.quantity_cancelled += before - units
        line.quantity_allocated, line.quantity_backordered = sku_allocated, sku_backordered
        line.backorder_promised_at = promises.get(line.sku_id)
        line.filled_as_placed = line.filled_as_placed and sku_backordered == 0
        line.was_backordered = line.was_backordered or sku_backordered > 0
    return new_lines


async def _reprice(
    uow: UnitOfWork,
    payments: PaymentProvider,
    order: Order,
    order_lines: list[OrderLine],
    plan: routing.RoutingPlan,
    speed: ShippingSpeed,
) -> None:
    """New totals, and the authorisation raised or lowered by the difference in what the
    payment brings: the credit of an exchange keeps paying its part."""
    shipping, transit_days = routing.shipping_total(plan, speed)
    active = [(line.unit_price, line.quantity - line.quantity_cancelled) for line in order_lines]
    totals = pricing.totals(active, shipping, order.ship_country)
    order.subtotal, order.shipping_total = totals.subtotal, totals.shipping
    order.tax_total, order.total = totals.tax, totals.total
    order.promised_at = utcnow() + timedelta(days=HANDLING_DAYS + transit_days)
    payment = await payment_of(uow, order.id)  # type: ignore[arg-type]
    number = order_number(order.id)  # type: ignore[arg-type]
    payment_rules.require_credit_covered(totals.total, payment.amount_credited, number)
    due = payment_rules.payable(totals.total, payment.amount_credited)
    difference = due - payment.amount_authorized
    if difference == 0:
        return
    if difference > 0 and payment.amount_authorized == 0:
        raise InvalidInput(
            f"order {number} is paid wholly by its exchanged return's credit and holds no "
            f"payment to charge the {difference} more this edit costs",
            field=["lines"],
        )
    if difference > 0:
        # Keyed by the order's version: the same edit retried raises the hold once.
        reference = await calls.make_and_settle(
            uow,
            payments,
            ProviderCall(
                CallKind.INCREASE,
                f"increase:order:{order.id}:{order.version}:{difference}",
                difference,
                payment.currency,
                order_id=order.id,
                authorization_reference=payment.authorization_reference,
            ),
        )
    else:
        reference = payment.authorization_reference
    books.reauthorize(uow, payment, due, reference, utcnow())
