"""Backorders are filled, oldest order first, as soon as stock arrives at a shipping location."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlmodel import col

from api.db import UnitOfWork
from api.dbtypes import utcnow
from api.events.reactions import reacts_to
from api.inventory import reservations
from api.inventory.facts import StockArrived
from api.inventory.models import MovementKind
from api.inventory.reservations import Hold
from api.locations.models import Location
from api.orders.events import BackorderAllocated
from api.orders.models import Allocation, Order, OrderLine, order_number
from api.orders.shipments import shipments_for
from api.orders.statuses import OrderStatus

OPEN_STATUSES = (
    OrderStatus.CONFIRMED,
    OrderStatus.ON_HOLD,
    OrderStatus.PROCESSING,
    OrderStatus.PARTIALLY_SHIPPED,
)
FILL_REASON = "backorder filled when stock arrived"


@reacts_to(StockArrived)
async def fill_backorders(uow: UnitOfWork, arrived: StockArrived) -> int:
    """Allocates the level's free stock to backordered lines of its SKU, oldest order first.

    Returns the units allocated. Does not commit: part of the command that brought the stock."""
    level, sku_code = arrived.level, arrived.sku_code
    free = level.available
    if free == 0 or not await _ships(uow, level.location_id):
        return 0
    fills = await _first_waiting(uow, level.sku_id, free)
    if not fills:
        return 0
    assert level.id is not None
    holds = [Hold(level.id, level.location_id, level.sku_id, units) for _, units in fills]
    if isinstance(await reservations.reserve(uow, holds), reservations.Refused):
        return 0  # a concurrent order took the stock first; the backorders wait for the next
    await _allocate(uow, level.location_id, level.sku_id, fills)
    for line, units in fills:
        line.quantity_backordered -= units
        line.quantity_allocated += units
        if line.quantity_backordered == 0:
            line.backorder_promised_at = None
        await reservations.record(
            uow,
            [Hold(level.id, level.location_id, level.sku_id, units)],
            MovementKind.RESERVATION,
            reference=order_number(line.order_id),
        )
        uow.record(
            BackorderAllocated(
                order_id=line.order_id,
                number=order_number(line.order_id),
                sku=sku_code,
                quantity=units,
                location_id=level.location_id,
                still_backordered=line.quantity_backordered,
            )
        )
    return sum(units for _, units in fills)


async def _first_waiting(uow: UnitOfWork, sku_id: int, free: int) -> list[tuple[OrderLine, int]]:
    """The backordered lines of the SKU that ``free`` units fill, oldest order first, each
    with the units it gets (locked: a concurrent fill waits, then finds them filled)."""
    waiting = await uow.session.execute(
        select(OrderLine)
        .join(Order, col(Order.id) == col(OrderLine.order_id))
        .where(
            col(OrderLine.sku_id) == sku_id,
            col(OrderLine.quantity_backordered) > 0,
            col(Order.status).in_(OPEN_STATUSES),
        )
        .order_by(col(Order.placed_at), col(OrderLine.id))
        .with_for_update(of=OrderLine)
    )
    fills: list[tuple[OrderLine, int]] = []
    for line in waiting.scalars():
        if free == 0:
            break
        units = min(free, line.quantity_backordered)
        fills.append((line, units))
        free -= units
    return fills


async def _allocate(
    uow: UnitOfWork, location_id: int, sku_id: int, fills: list[tuple[OrderLine, int]]
) -> None:
    """Each filled line's units allocated at the location, in its order's shipment from there
    (opened when the order has none)."""
    now = utcnow()
    shipment_ids = {
        line.order_id: (
            await shipments_for(
                uow, line.order_id, await _currency(uow, line.order_id), [location_id], now
            )
        )[location_id]
        for line, _ in fills
    }
    await uow.session.execute(
        insert(Allocation),
        [
            {
                "order_id": line.order_id,
                "order_line_id": line.id,
                "location_id": location_id,
                "sku_id": sku_id,
                "quantity": units,
                "reason": FILL_REASON,
                "shipment_id": shipment_ids[line.order_id],
                "created_at": now,
            }
            for line, units in fills
        ],
    )


async def _currency(uow: UnitOfWork, order_id: int) -> str:
    currency = (
        await uow.session.execute(select(col(Order.currency)).where(col(Order.id) == order_id))
    ).scalar_one()
    return str(currency)


async def _ships(uow: UnitOfWork, location_id: int) -> bool:
    location = await uow.session.get(Location, location_id)
    return bool(location and location.ships)
