"""Confirming a wave's picks: the picked units go to the wave's allocations oldest order
first; what was not found moves to the DISCREPANCY state, is re-sourced from another location
when one has it, and is backordered otherwise."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlmodel import col

from api import validation
from api.db import UnitOfWork
from api.dbtypes import utcnow
from api.errors import IllegalTransition, InvalidInput, NotFound
from api.fulfilment.events import PicksConfirmed, Resourced, ShortPicked, TaskPicked
from api.fulfilment.models import PickList, PickTask
from api.fulfilment.rules import PICK_LIST, PICK_TASK
from api.fulfilment.statuses import PickListStatus, PickTaskStatus
from api.idempotency import service as idempotency
from api.inventory import reservations
from api.inventory.ledger import change_level, record_movements
from api.inventory.models import MovementKind
from api.inventory.reservations import Hold
from api.inventory.statuses import InventoryBucket
from api.orders import routing
from api.orders.changes import sku_codes
from api.orders.models import Allocation, Order, OrderLine, order_number
from api.orders.records import backorder_promises
from api.orders.requests import address_of
from api.orders.routing import OrderPolicy
from api.orders.rules import ALLOCATION
from api.orders.shipments import cancel_empty_shipments, shipments_for
from api.orders.statuses import AllocationStatus, OrderStatus
from api.reads import columns
from api.shipping.speeds import ShippingSpeed
from api.sourcing.rules import Demand, PlannedAllocation, route

PICKABLE_ORDERS = (OrderStatus.CONFIRMED, OrderStatus.PROCESSING, OrderStatus.PARTIALLY_SHIPPED)
_task = columns(PickTask)
_TASKS_INSERT = insert(_task.id.table).returning(
    _task.id, _task.sku_id, sort_by_parameter_order=True
)


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
    idempotency_key: str | None = None,
) -> PickList:
    """Records what was found at each task's bin; short picks are settled as they are found."""
    pick_list = await uow.lock(PickList, pick_list_id, what="pick list", field="pickListId")
    request = {
        "pickListId": pick_list_id,
        "picks": [[pick.task_id, pick.quantity] for pick in picks],
    }
    if first := await idempotency.first_row(
        uow, PickList, idempotency_key, "confirmPicks", request
    ):
        return first
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
    _require_confirmable(picks, tasks)
    now = utcnow()
    shorts: list[tuple[Allocation, int]] = []
    for pick in picks:
        task = tasks[pick.task_id]
        shorts.extend(await _hand_out(uow, task, pick.quantity))
        task.quantity_picked = pick.quantity
        PICK_TASK.move(
            task,
            PickTaskStatus.PICKED if pick.quantity == task.quantity else PickTaskStatus.SHORT,
            task.id,
        )
    touched_orders = {allocation.order_id for allocation, _ in shorts}
    for allocation, missing in shorts:
        await _settle_short(uow, pick_list, allocation, missing, policy, now)
    for order_id in sorted(touched_orders):
        await cancel_empty_shipments(
            uow, order_id, reason="nothing left to pick after a short pick"
        )
    if all(task.status != PickTaskStatus.OPEN for task in tasks.values()):
        PICK_LIST.move(pick_list, PickListStatus.COMPLETED, pick_list_id)
        pick_list.completed_at = now
    uow.record(
        PicksConfirmed(
            pick_list_id=pick_list_id,
            picks=[TaskPicked(task_id=p.task_id, quantity=p.quantity) for p in picks],
            short=sum(missing for _, missing in shorts),
            status=pick_list.status,
        )
    )
    await idempotency.remember_row(uow, idempotency_key, pick_list_id)
    await uow.commit()
    return pick_list


def _require_confirmable(picks: list[PickConfirmation], tasks: dict[int | None, PickTask]) -> None:
    """Each open task of this list confirmed once, with no more units than it asks for."""
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
        ALLOCATION.move(
            allocation,
            AllocationStatus.PICKED if taken else AllocationStatus.RELEASED,
            allocation.id,
        )
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
    resourced = await _source_again(
        uow, pick_list, allocation, order, line, codes[allocation.sku_id], missing, policy, now
    )
    line.filled_as_placed = False
    backordered = missing - sum(a.quantity for a in resourced)
    if backordered:
        line.quantity_allocated -= backordered
        line.quantity_backordered += backordered
        line.was_backordered = True
        promises = await backorder_promises(uow, {allocation.sku_id: backordered}, now, policy)
        line.backorder_promised_at = promises[allocation.sku_id]
    uow.record(
        ShortPicked(
            order_id=allocation.order_id,
            number=number,
            pick_list_id=pick_list.id,
            sku=codes[allocation.sku_id],
            location_id=allocation.location_id,
            missing=missing,
            resourced=[
                Resourced(location_id=a.location_id, quantity=a.quantity) for a in resourced
            ],
            backordered=backordered,
        )
    )


async def _source_again(
    uow: UnitOfWork,
    pick_list: PickList,
    allocation: Allocation,
    order: Order,
    line: OrderLine,
    sku_code: str,
    missing: int,
    policy: OrderPolicy,
    now: datetime,
) -> list[PlannedAllocation]:
    """Reserves the missing units at other locations, as routing would place them; the
    allocations made (none when the stock elsewhere is gone too)."""
    number = order_number(allocation.order_id)
    candidates, level_ids = await routing.read_candidates(uow.session, [allocation.sku_id])
    elsewhere = [c for c in candidates if c.location_id != allocation.location_id]
    plan = route(
        [Demand(allocation.sku_id, sku_code, missing, allow_backorder=True)],
        elsewhere,
        routing.locate_destination(address_of(order)),
        speed=ShippingSpeed(order.shipping_speed),
        max_shipments=policy.max_shipments,
    )
    holds = [
        Hold(level_ids[(a.location_id, a.sku_id)], a.location_id, a.sku_id, a.quantity)
        for a in plan.allocations
    ]
    reserved = await reservations.reserve(uow, holds)
    resourced = [] if isinstance(reserved, reservations.Refused) else plan.allocations
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
    return resourced
