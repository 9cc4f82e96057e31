"""Batch picking: waves of shipments at one location, walked once in bin order.

A wave merges the same SKU across its orders into one task at the SKU's bin and sorts the
tasks by the bins' pick sequence (a serpentine walk through the aisles). Confirming the picks
is ``api.fulfilment.confirming``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlmodel import col

from api.db import UnitOfWork
from api.dbtypes import utcnow
from api.errors import InvalidInput, NotFound
from api.fulfilment import rules
from api.fulfilment.events import PickListCreated, ShipmentStatusChanged
from api.fulfilment.models import PickList, PickTask
from api.fulfilment.statuses import PickTaskStatus
from api.inventory.models import InventoryLevel
from api.locations.models import Bin, Location
from api.orders.changes import move_order_status
from api.orders.models import Allocation, Order, Shipment
from api.orders.rules import SHIPMENT
from api.orders.statuses import AllocationStatus, OrderStatus, ShipmentStatus
from api.reads import columns
from api.writes import insert_row

MAX_WAVE_SHIPMENTS = 500
PICKABLE_ORDERS = (OrderStatus.CONFIRMED, OrderStatus.PROCESSING, OrderStatus.PARTIALLY_SHIPPED)
_task = columns(PickTask)
_TASKS_INSERT = insert(_task.id.table).returning(
    _task.id, _task.sku_id, sort_by_parameter_order=True
)


async def create_pick_list(
    uow: UnitOfWork,
    *,
    location_id: int,
    max_orders: int | None = None,
    max_lines: int | None = None,
) -> PickList:
    """Gathers the location's shipments waiting to be picked, oldest first, into one wave."""
    for value, field in ((max_orders, "maxOrders"), (max_lines, "maxLines")):
        if value is not None and not 1 <= value <= MAX_WAVE_SHIPMENTS:
            raise InvalidInput(f"{field} must be between 1 and {MAX_WAVE_SHIPMENTS}", field=[field])
    location = await uow.session.get(Location, location_id)
    if location is None:
        raise NotFound("location", location_id, field=["locationId"])
    shipments = await _waiting_shipments(uow, location_id, max_orders or MAX_WAVE_SHIPMENTS)
    allocations = await _unpicked_allocations(uow, [s.id for s in shipments])  # type: ignore[misc]
    shipments, allocations = _within_lines(shipments, allocations, max_lines)
    if not allocations:
        raise NotFound(
            "shipments waiting to be picked at location", location.code, field=["locationId"]
        )
    bins = await _bins(uow, location_id, {a.sku_id for a in allocations})
    walk = _walk(allocations, bins)
    now = utcnow()
    pick_list = PickList(
        location_id=location_id,
        walking_distance_m=walk.distance_m,
        naive_walking_distance_m=walk.naive_distance_m,
        created_by=uow.actor,
        created_at=now,
    )
    pick_list_id = await insert_row(uow.session, pick_list)
    created = await uow.session.execute(
        _TASKS_INSERT,
        [
            {
                "pick_list_id": pick_list_id,
                "sku_id": sku_id,
                "bin_id": bins[sku_id].id if sku_id in bins else None,
                "sequence": sequence,
                "quantity": walk.units[sku_id],
                "status": rules.PICK_TASK.start(PickTaskStatus.OPEN),
            }
            for sequence, sku_id in enumerate(walk.order, start=1)
        ],
    )
    task_ids = {sku_id: task_id for task_id, sku_id in created.all()}
    for allocation in allocations:
        allocation.pick_task_id = task_ids[allocation.sku_id]
    for shipment in shipments:
        _set_status(uow, shipment, ShipmentStatus.PICKING, now)
        shipment.pick_list_id = pick_list_id
    await _mark_processing(uow, {shipment.order_id for shipment in shipments}, now)
    uow.record(
        PickListCreated(
            pick_list_id=pick_list_id,
            location_id=location_id,
            shipments=[shipment.id for shipment in shipments if shipment.id is not None],
            tasks=len(walk.order),
            walking_distance_m=pick_list.walking_distance_m,
            naive_walking_distance_m=pick_list.naive_walking_distance_m,
        )
    )
    await uow.commit()
    return pick_list


@dataclass(frozen=True)
class Walk:
    """A wave's tasks in walking order, and how far the picker walks: once through the wave,
    and (``naive``) order by order, for comparison."""

    order: list[int]
    """SKU ids in the order they are picked."""
    units: dict[int, int]
    distance_m: float
    naive_distance_m: float


def _walk(allocations: list[Allocation], bins: dict[int, Bin]) -> Walk:
    units: dict[int, int] = defaultdict(int)
    for allocation in allocations:
        units[allocation.sku_id] += allocation.quantity
    order = sorted(units, key=lambda sku_id: _walk_key(bins.get(sku_id), sku_id))
    spots = {sku_id: _spot(bins.get(sku_id)) for sku_id in units}
    length = rules.aisle_length(spots.values())
    per_shipment: dict[int, set[int]] = defaultdict(set)
    for allocation in allocations:
        per_shipment[allocation.shipment_id].add(allocation.sku_id)  # type: ignore[index]
    position = {sku_id: index for index, sku_id in enumerate(order)}
    naive = sum(
        rules.walk([spots[s] for s in sorted(skus, key=position.__getitem__)], length)
        for skus in per_shipment.values()
    )
    return Walk(
        order=order,
        units=dict(units),
        distance_m=rules.walk([spots[sku_id] for sku_id in order], length),
        naive_distance_m=round(naive, 2),
    )


async def _waiting_shipments(uow: UnitOfWork, location_id: int, limit: int) -> list[Shipment]:
    # SKIP LOCKED: two waves built at once never take the same shipment, and neither waits.
    result = await uow.session.execute(
        select(Shipment)
        .join(Order, col(Order.id) == col(Shipment.order_id))
        .where(
            col(Shipment.location_id) == location_id,
            col(Shipment.status) == ShipmentStatus.PENDING,
            col(Shipment.pick_list_id).is_(None),
            col(Order.status).in_(PICKABLE_ORDERS),
        )
        .order_by(col(Shipment.id))
        .limit(limit)
        .with_for_update(of=Shipment, skip_locked=True)
    )
    return list(result.scalars())


async def _unpicked_allocations(uow: UnitOfWork, shipment_ids: list[int]) -> list[Allocation]:
    if not shipment_ids:
        return []
    result = await uow.session.execute(
        select(Allocation)
        .where(
            col(Allocation.shipment_id).in_(shipment_ids),
            col(Allocation.status) == AllocationStatus.RESERVED,
            col(Allocation.pick_task_id).is_(None),
        )
        .order_by(col(Allocation.id))
    )
    return list(result.scalars())


def _within_lines(
    shipments: list[Shipment], allocations: list[Allocation], max_lines: int | None
) -> tuple[list[Shipment], list[Allocation]]:
    """The oldest shipments whose allocations fit ``max_lines`` (the first one always)."""
    by_shipment: dict[int, list[Allocation]] = defaultdict(list)
    for allocation in allocations:
        by_shipment[allocation.shipment_id].append(allocation)  # type: ignore[index]
    kept: list[Shipment] = []
    taken: list[Allocation] = []
    for shipment in shipments:
        lines = by_shipment.get(shipment.id, [])  # type: ignore[arg-type]
        if not lines:
            continue
        if kept and max_lines is not None and len(taken) + len(lines) > max_lines:
            break
        kept.append(shipment)
        taken.extend(lines)
    return kept, taken


async def _bins(uow: UnitOfWork, location_id: int, sku_ids: set[int]) -> dict[int, Bin]:
    result = await uow.session.execute(
        select(col(InventoryLevel.sku_id), Bin)
        .join(Bin, col(Bin.id) == col(InventoryLevel.bin_id))
        .where(
            col(InventoryLevel.location_id) == location_id,
            col(InventoryLevel.sku_id).in_(sku_ids),
        )
    )
    return {sku_id: bin_ for sku_id, bin_ in result.all()}


def _walk_key(bin_: Bin | None, sku_id: int) -> tuple[int, int, int, int]:
    """Binned SKUs in pick sequence; SKUs without a bin last, at the depot."""
    if bin_ is None:
        return (1, 0, 0, sku_id)
    return (0, bin_.pick_sequence, bin_.id or 0, sku_id)


def _spot(bin_: Bin | None) -> rules.Spot:
    return rules.DEPOT if bin_ is None else rules.Spot(bin_.aisle, bin_.bay)


def _set_status(uow: UnitOfWork, shipment: Shipment, target: ShipmentStatus, now: datetime) -> None:
    assert shipment.id is not None
    current = SHIPMENT.move(shipment, target, shipment.id)
    shipment.version += 1
    shipment.updated_at = now
    uow.record(
        ShipmentStatusChanged(
            shipment_id=shipment.id,
            order_id=shipment.order_id,
            previous=current.value,
            current=target.value,
        )
    )


async def _mark_processing(uow: UnitOfWork, order_ids: set[int], now: datetime) -> None:
    """Orders whose first shipment starts being picked are PROCESSING."""
    if not order_ids:
        return
    result = await uow.session.execute(
        select(Order)
        .where(col(Order.id).in_(order_ids), col(Order.status) == OrderStatus.CONFIRMED)
        .with_for_update()
    )
    for order in result.scalars():
        move_order_status(uow, order, OrderStatus.PROCESSING, now)
