"""Batch picking: waves of shipments at one location, walked once in bin order.

A wave merges the same SKU across its orders into one task at the SKU's bin and sorts the
tasks by the bins' pick sequence (a serpentine walk through the aisles). Confirming a task
hands the picked units to the wave's allocations oldest order first; what was not found moves
to the DISCREPANCY state, is re-sourced from another location when one has it, and is
backordered otherwise.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlmodel import col

from api import validation
from api.db import UnitOfWork
from api.dbtypes import utcnow
from api.errors import IllegalTransition, InvalidInput, NotFound
from api.events.models import EventType
from api.fulfilment import rules
from api.fulfilment.models import (
    PickList,
    PickListStatus,
    PickTask,
    PickTaskStatus,
    Shipment,
    ShipmentStatus,
)
from api.fulfilment.shipments import cancel_empty_shipments, shipments_for
from api.inventory import reservations
from api.inventory.ledger import change_level, record_movements
from api.inventory.models import InventoryBucket, InventoryLevel, MovementKind
from api.inventory.reservations import Hold
from api.locations.models import Bin, Location
from api.orders import routing
from api.orders.changes import move_order_status, sku_codes
from api.orders.models import (
    Allocation,
    AllocationStatus,
    Order,
    OrderLine,
    OrderStatus,
    ShippingSpeed,
    order_number,
)
from api.orders.records import backorder_promises
from api.orders.requests import address_of
from api.orders.routing import OrderPolicy
from api.reads import columns
from api.sourcing.rules import Demand, route
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
    now = utcnow()
    pick_list = PickList(
        location_id=location_id,
        walking_distance_m=rules.walk([spots[sku_id] for sku_id in order], length),
        naive_walking_distance_m=round(naive, 2),
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
                "quantity": units[sku_id],
                "status": PickTaskStatus.OPEN,
            }
            for sequence, sku_id in enumerate(order, start=1)
        ],
    )
    task_ids = {sku_id: task_id for task_id, sku_id in created.all()}
    for allocation in allocations:
        allocation.pick_task_id = task_ids[allocation.sku_id]
    for shipment in shipments:
        _set_status(uow, shipment, ShipmentStatus.PICKING, now)
        shipment.pick_list_id = pick_list_id
    await _mark_processing(uow, {shipment.order_id for shipment in shipments}, now)
    uow.add_event(
        EventType.PICK_LIST_CREATED,
        aggregate_type="pick_list",
        aggregate_id=pick_list_id,
        payload={
            "locationId": location_id,
            "shipments": [shipment.id for shipment in shipments],
            "tasks": len(order),
            "walkingDistanceM": pick_list.walking_distance_m,
            "naiveWalkingDistanceM": pick_list.naive_walking_distance_m,
        },
    )
    await uow.commit()
    return pick_list


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
    current = ShipmentStatus(shipment.status)
    rules.require_transition(current, target, shipment.id)
    shipment.status = target
    shipment.version += 1
    shipment.updated_at = now
    uow.add_event(
        EventType.SHIPMENT_STATUS_CHANGED,
        aggregate_type="shipment",
        aggregate_id=shipment.id,
        payload={"orderId": shipment.order_id, "from": current.value, "to": target.value},
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


@dataclass(frozen=True)
class PickConfirmation:
    task_id: int
    quantity: int


async def confirm_picks(
    uow: UnitOfWork,
    *,
    pick_list_id: int,
    picks: list[PickConfirmation],
    policy: OrderPolicy,
) -> PickList:
    """Records what was found at each task's bin; short picks are settled as they are found."""
    pick_list = (
        await uow.session.execute(
            select(PickList).where(col(PickList.id) == pick_list_id).with_for_update()
        )
    ).scalar_one_or_none()
    if pick_list is None:
        raise NotFound("pick list", pick_list_id, field=["pickListId"])
    if pick_list.status != PickListStatus.OPEN:
        raise IllegalTransition(
            f"pick list {pick_list_id} is {pick_list.status}", field=["pickListId"]
        )
    if not picks:
        raise InvalidInput("confirm at least one task", field=["picks"])
    tasks = {
        task.id: task
        for task in (
            await uow.session.execute(
                select(PickTask).where(col(PickTask.pick_list_id) == pick_list_id)
            )
        ).scalars()
    }
    seen: set[int] = set()
    for index, pick in enumerate(picks):
        field = ["picks", str(index)]
        task = tasks.get(pick.task_id)
        if task is None:
            raise NotFound("pick task in this list", pick.task_id, field=[*field, "taskId"])
        if pick.task_id in seen:
            raise InvalidInput("each task is confirmed once", field=[*field, "taskId"])
        seen.add(pick.task_id)
        if task.status != PickTaskStatus.OPEN:
            raise IllegalTransition(
                f"task {task.sequence} is already confirmed", field=[*field, "taskId"]
            )
        validation.non_negative(pick.quantity, ".".join([*field, "quantity"]))
        if pick.quantity > task.quantity:
            raise InvalidInput(
                f"task {task.sequence} asks for {task.quantity}: {pick.quantity} cannot be picked",
                field=[*field, "quantity"],
            )
    now = utcnow()
    shorts: list[tuple[Allocation, int]] = []
    for pick in picks:
        task = tasks[pick.task_id]
        shorts.extend(await _hand_out(uow, task, pick.quantity))
        task.quantity_picked = pick.quantity
        task.status = (
            PickTaskStatus.PICKED if pick.quantity == task.quantity else PickTaskStatus.SHORT
        )
    touched_orders = {allocation.order_id for allocation, _ in shorts}
    for allocation, missing in shorts:
        await _settle_short(uow, pick_list, allocation, missing, policy, now)
    for order_id in sorted(touched_orders):
        await cancel_empty_shipments(
            uow, order_id, reason="nothing left to pick after a short pick"
        )
    if all(task.status != PickTaskStatus.OPEN for task in tasks.values()):
        pick_list.status = PickListStatus.COMPLETED
        pick_list.completed_at = now
    uow.add_event(
        EventType.PICKS_CONFIRMED,
        aggregate_type="pick_list",
        aggregate_id=pick_list_id,
        payload={
            "picks": [{"taskId": p.task_id, "quantity": p.quantity} for p in picks],
            "short": sum(missing for _, missing in shorts),
            "status": pick_list.status,
        },
    )
    await uow.commit()
    return pick_list


async def _hand_out(uow: UnitOfWork, task: PickTask, picked: int) -> list[tuple[Allocation, int]]:
    """Gives the picked units to the task's allocations, oldest first; returns the shortfalls."""
    allocations = (
        await uow.session.execute(
            select(Allocation)
            .where(
                col(Allocation.pick_task_id) == task.id,
                col(Allocation.status) == AllocationStatus.RESERVED,
            )
            .order_by(col(Allocation.id))
        )
    ).scalars()
    shorts = []
    for allocation in allocations:
        taken = min(picked, allocation.quantity)
        picked -= taken
        if taken < allocation.quantity:
            shorts.append((allocation, allocation.quantity - taken))
        allocation.quantity = taken
        allocation.status = AllocationStatus.PICKED if taken else AllocationStatus.RELEASED
    return shorts


async def _settle_short(
    uow: UnitOfWork,
    pick_list: PickList,
    allocation: Allocation,
    missing: int,
    policy: OrderPolicy,
    now: datetime,
) -> None:
    """The units a picker did not find: out of sellable stock into DISCREPANCY, then found
    elsewhere for the order or backordered."""
    number = order_number(allocation.order_id)
    deltas = {
        InventoryBucket.ON_HAND: -missing,
        InventoryBucket.RESERVED: -missing,
        InventoryBucket.DISCREPANCY: missing,
    }
    level = await change_level(uow, allocation.location_id, allocation.sku_id, deltas)
    assert level is not None, "an allocation always has its level"
    await record_movements(uow, level, deltas, MovementKind.SHORT_PICK, reference=number)
    order = await uow.session.get(Order, allocation.order_id)
    line = await uow.session.get(OrderLine, allocation.order_line_id)
    assert order is not None and line is not None
    codes = await sku_codes(uow, {allocation.sku_id})
    candidates, level_ids = await routing.read_candidates(uow.session, [allocation.sku_id])
    elsewhere = [c for c in candidates if c.location_id != allocation.location_id]
    plan = route(
        [Demand(allocation.sku_id, codes[allocation.sku_id], missing, allow_backorder=True)],
        elsewhere,
        routing.locate_destination(address_of(order)),
        speed=ShippingSpeed(order.shipping_speed),
        max_shipments=policy.max_shipments,
    )
    holds = [
        Hold(level_ids[(a.location_id, a.sku_id)], a.location_id, a.sku_id, a.quantity)
        for a in plan.allocations
    ]
    resourced = plan.allocations if holds and await reservations.reserve(uow, holds) else []
    if resourced:
        await reservations.record(uow, holds, MovementKind.RESERVATION, reference=number)
        locations = {a.location_id for a in resourced}
        shipment_ids = await shipments_for(uow, allocation.order_id, order.currency, locations, now)
        await uow.session.execute(
            insert(Allocation),
            [
                {
                    "order_id": order.id,
                    "order_line_id": line.id,
                    "location_id": a.location_id,
                    "sku_id": a.sku_id,
                    "quantity": a.quantity,
                    "reason": f"re-sourced after a short pick at pick list {pick_list.id}",
                    "shipment_id": shipment_ids[a.location_id],
                    "created_at": now,
                }
                for a in resourced
            ],
        )
    line.filled_as_placed = False
    backordered = missing - sum(a.quantity for a in resourced)
    if backordered:
        line.quantity_allocated -= backordered
        line.quantity_backordered += backordered
        line.was_backordered = True
        promises = await backorder_promises(uow, {allocation.sku_id: backordered}, now, policy)
        line.backorder_promised_at = promises[allocation.sku_id]
    uow.add_event(
        EventType.SHORT_PICKED,
        aggregate_type="order",
        aggregate_id=allocation.order_id,
        payload={
            "number": number,
            "pickListId": pick_list.id,
            "sku": codes[allocation.sku_id],
            "locationId": allocation.location_id,
            "missing": missing,
            "resourced": [{"locationId": a.location_id, "quantity": a.quantity} for a in resourced],
            "backordered": backordered,
        },
    )
