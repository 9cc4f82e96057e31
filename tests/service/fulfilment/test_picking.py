"""Waves, walking order, and what a short pick does to stock and orders."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from api.db import Database
from api.errors import IdempotencyConflict, IllegalTransition, InvalidInput, NotFound
from api.events.models import Event
from api.fulfilment.confirming import PickConfirmation, confirm_picks
from api.fulfilment.models import PickList, PickTask
from api.fulfilment.picking import create_pick_list
from api.inventory.models import InventoryLevel
from api.orders.changes import hold_order
from api.orders.models import Allocation, Order, OrderLine, Shipment
from tests.factories import receive
from tests.invariants import assert_invariants
from tests.service.fulfilment.conftest import Warehouse


async def wave(warehouse: Warehouse, **limits: int) -> PickList:
    async with warehouse.database.unit_of_work("staff:picker") as uow:
        return await create_pick_list(uow, location_id=warehouse.berlin.id, **limits)  # type: ignore[arg-type]


async def confirm(
    warehouse: Warehouse, pick_list: PickList, *picks: tuple[int, int], key: str | None = None
) -> PickList:
    async with warehouse.database.unit_of_work("staff:picker") as uow:
        return await confirm_picks(
            uow,
            pick_list_id=pick_list.id,  # type: ignore[arg-type]
            picks=[PickConfirmation(task_id, quantity) for task_id, quantity in picks],
            policy=warehouse.policy,
            idempotency_key=key,
        )


async def tasks_of(database: Database, pick_list: PickList) -> list[PickTask]:
    async with database.session() as session:
        result = await session.execute(
            select(PickTask)
            .where(PickTask.pick_list_id == pick_list.id)
            .order_by(PickTask.sequence)
        )
        return list(result.scalars())


async def sku_codes_of(database: Database, tasks: list[PickTask]) -> list[str]:
    from api.catalog.models import Sku

    async with database.session() as session:
        codes = dict((await session.execute(select(Sku.id, Sku.code))).all())
    return [codes[task.sku_id] for task in tasks]


async def level(database: Database, location_id: int, sku: str) -> InventoryLevel:
    from api.catalog.models import Sku

    async with database.session() as session:
        return (
            await session.execute(
                select(InventoryLevel)
                .join(Sku, Sku.id == InventoryLevel.sku_id)
                .where(InventoryLevel.location_id == location_id, Sku.code == sku)
            )
        ).scalar_one()


async def test_a_wave_walks_the_bins_once_in_serpentine_order(warehouse: Warehouse) -> None:
    first = await warehouse.place(("S3", 1), ("S1", 1), email="one@example.com")
    second = await warehouse.place(("S4", 2), ("S2", 1), email="two@example.com")
    pick_list = await wave(warehouse)
    tasks = await tasks_of(warehouse.database, pick_list)
    assert await sku_codes_of(warehouse.database, tasks) == ["S1", "S2", "S3", "S4"]
    assert [(task.sequence, task.quantity) for task in tasks] == [(1, 1), (2, 1), (3, 1), (4, 2)]
    # hand-computed on this layout (tests/unit/test_fulfilment_rules.py)
    assert (pick_list.walking_distance_m, pick_list.naive_walking_distance_m) == (30.0, 60.0)
    async with warehouse.database.session() as session:
        shipments = list((await session.execute(select(Shipment).order_by(Shipment.id))).scalars())
        orders = list((await session.execute(select(Order).order_by(Order.id))).scalars())
        allocations = list((await session.execute(select(Allocation))).scalars())
    assert [(s.order_id, s.status, s.pick_list_id) for s in shipments] == [
        (first.order.id, "PICKING", pick_list.id),
        (second.order.id, "PICKING", pick_list.id),
    ]
    assert [order.status for order in orders] == ["PROCESSING", "PROCESSING"]
    assert {a.pick_task_id for a in allocations} == {task.id for task in tasks}
    await assert_invariants(warehouse.database)


async def test_the_same_sku_across_orders_is_one_task(warehouse: Warehouse) -> None:
    for n in range(3):
        await warehouse.place(("S2", 2), email=f"buyer{n}@example.com")
    tasks = await tasks_of(warehouse.database, await wave(warehouse))
    assert [(task.sequence, task.quantity) for task in tasks] == [(1, 6)]


async def test_limits_keep_the_oldest_shipments(warehouse: Warehouse) -> None:
    first = await warehouse.place(("S1", 1), ("S2", 1), email="one@example.com")
    await warehouse.place(("S3", 1), ("S4", 1), email="two@example.com")
    by_orders = await wave(warehouse, max_orders=1)
    async with warehouse.database.session() as session:
        waved = list(
            (
                await session.execute(
                    select(Shipment.order_id).where(Shipment.pick_list_id == by_orders.id)
                )
            ).scalars()
        )
    assert waved == [first.order.id]
    by_lines = await wave(warehouse, max_lines=1)  # the first shipment always goes
    assert len(await tasks_of(warehouse.database, by_lines)) == 2


async def test_held_orders_wait_and_an_empty_location_is_a_clear_error(
    warehouse: Warehouse,
) -> None:
    placed = await warehouse.place(("S1", 1))
    async with warehouse.database.unit_of_work("staff:1") as uow:
        await hold_order(uow, order_id=placed.order.id, reason="fraud check")  # type: ignore[arg-type]
    with pytest.raises(NotFound) as raised:
        await wave(warehouse)
    assert raised.value.field == ["locationId"]


async def test_confirming_every_task_in_full_completes_the_wave(warehouse: Warehouse) -> None:
    await warehouse.place(("S1", 2), ("S2", 1))
    pick_list = await wave(warehouse)
    tasks = await tasks_of(warehouse.database, pick_list)
    done = await confirm(warehouse, pick_list, *((task.id, task.quantity) for task in tasks))  # type: ignore[misc]
    assert done.status == "COMPLETED"
    async with warehouse.database.session() as session:
        statuses = set((await session.execute(select(Allocation.status))).scalars())
    assert statuses == {"PICKED"}
    berlin = await level(warehouse.database, warehouse.berlin.id, "S1")  # type: ignore[arg-type]
    assert (berlin.on_hand, berlin.reserved, berlin.discrepancy) == (10, 2, 0)
    await assert_invariants(warehouse.database)


async def test_a_short_pick_goes_to_discrepancy_and_is_re_sourced_elsewhere(
    warehouse: Warehouse,
) -> None:
    await receive(warehouse.database, warehouse.munich, "S1", 5)
    placed = await warehouse.place(("S1", 3))
    pick_list = await wave(warehouse)
    (task,) = await tasks_of(warehouse.database, pick_list)
    await confirm(warehouse, pick_list, (task.id, 1))  # type: ignore[arg-type]
    berlin = await level(warehouse.database, warehouse.berlin.id, "S1")  # type: ignore[arg-type]
    munich = await level(warehouse.database, warehouse.munich.id, "S1")  # type: ignore[arg-type]
    assert (berlin.on_hand, berlin.reserved, berlin.discrepancy) == (8, 1, 2)
    assert (munich.on_hand, munich.reserved) == (5, 2)
    async with warehouse.database.session() as session:
        shipments = list((await session.execute(select(Shipment).order_by(Shipment.id))).scalars())
        line = (await session.execute(select(OrderLine))).scalar_one()
        short = (
            await session.execute(select(Event).where(Event.type == "SHORT_PICKED"))
        ).scalar_one()
    assert [(s.location_id, s.status) for s in shipments] == [
        (warehouse.berlin.id, "PICKING"),
        (warehouse.munich.id, "PENDING"),
    ]
    assert (line.quantity_allocated, line.quantity_backordered) == (3, 0)
    assert not line.filled_as_placed, "re-sourced: not filled by its first allocation"
    assert not line.was_backordered, "it never waited for stock"
    assert short.aggregate_id == placed.order.id
    assert (short.payload["missing"], short.payload["backordered"]) == (2, 0)
    assert short.payload["resourced"] == [{"locationId": warehouse.munich.id, "quantity": 2}]
    assert task.status == "OPEN"  # the copy read before; the stored task is SHORT now
    (stored,) = await tasks_of(warehouse.database, pick_list)
    assert (stored.status, stored.quantity_picked) == ("SHORT", 1)
    await assert_invariants(warehouse.database)


async def test_a_short_pick_nobody_else_can_cover_is_backordered(warehouse: Warehouse) -> None:
    await warehouse.place(("S2", 2))
    pick_list = await wave(warehouse)
    (task,) = await tasks_of(warehouse.database, pick_list)
    await confirm(warehouse, pick_list, (task.id, 0))  # type: ignore[arg-type]
    async with warehouse.database.session() as session:
        line = (await session.execute(select(OrderLine))).scalar_one()
        shipment = (await session.execute(select(Shipment))).scalar_one()
    assert (line.quantity_allocated, line.quantity_backordered) == (0, 2)
    assert line.backorder_promised_at is not None and not line.filled_as_placed
    assert line.was_backordered
    assert shipment.status == "CANCELLED"  # nothing left in it
    berlin = await level(warehouse.database, warehouse.berlin.id, "S2")  # type: ignore[arg-type]
    assert (berlin.on_hand, berlin.reserved, berlin.discrepancy) == (8, 0, 2)
    await assert_invariants(warehouse.database)


async def test_bad_confirmations_are_refused_and_change_nothing(warehouse: Warehouse) -> None:
    await warehouse.place(("S1", 2))
    pick_list = await wave(warehouse)
    (task,) = await tasks_of(warehouse.database, pick_list)

    async def events() -> int:
        async with warehouse.database.session() as session:
            return int(
                (await session.execute(select(func.count()).select_from(Event))).scalar_one()
            )

    before = await events()
    with pytest.raises(InvalidInput) as too_many:
        await confirm(warehouse, pick_list, (task.id, 3))  # type: ignore[arg-type]
    assert too_many.value.field == ["picks", "0", "quantity"]
    with pytest.raises(NotFound):
        await confirm(warehouse, pick_list, (task.id + 999, 1))  # type: ignore[operator]
    with pytest.raises(InvalidInput):
        await confirm(warehouse, pick_list, (task.id, 1), (task.id, 1))  # type: ignore[arg-type]
    assert await events() == before
    await confirm(warehouse, pick_list, (task.id, 2))  # type: ignore[arg-type]
    with pytest.raises(IllegalTransition):
        await confirm(warehouse, pick_list, (task.id, 2))  # type: ignore[arg-type]
    await assert_invariants(warehouse.database)


async def test_a_keyed_confirmation_is_recorded_once(warehouse: Warehouse) -> None:
    await warehouse.place(("S1", 2), ("S2", 1))
    pick_list = await wave(warehouse)
    first, second = await tasks_of(warehouse.database, pick_list)
    done = await confirm(warehouse, pick_list, (first.id, 1), key="scan-1")  # type: ignore[arg-type]
    before = await level(warehouse.database, warehouse.berlin.id, "S1")  # type: ignore[arg-type]
    replayed = await confirm(warehouse, pick_list, (first.id, 1), key="scan-1")  # type: ignore[arg-type]
    assert (replayed.id, replayed.status) == (done.id, "OPEN")
    after = await level(warehouse.database, warehouse.berlin.id, "S1")  # type: ignore[arg-type]
    assert after.version == before.version  # the short pick was settled once
    with pytest.raises(IdempotencyConflict):
        await confirm(warehouse, pick_list, (second.id, 1), key="scan-1")  # type: ignore[arg-type]
    await assert_invariants(warehouse.database)
