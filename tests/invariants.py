"""The invariants of ARCHITECTURE.md, checked against the database as it stands."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select

from api.db import Database
from api.inventory.models import InventoryLevel, InventoryMovement
from api.inventory.statuses import InventoryBucket
from api.orders.models import Allocation, OrderLine, Shipment
from api.orders.statuses import AllocationStatus
from api.payments.models import Payment

HOLDING = (AllocationStatus.RESERVED.value, AllocationStatus.PICKED.value)


async def assert_invariants(database: Database) -> None:
    async with database.session() as session:
        levels = list((await session.execute(select(InventoryLevel))).scalars())
        ledger: dict[tuple[int, int, str], int] = defaultdict(int)
        for location_id, sku_id, bucket, total in await session.execute(
            select(
                InventoryMovement.location_id,
                InventoryMovement.sku_id,
                InventoryMovement.bucket,
                func.sum(InventoryMovement.quantity),
            ).group_by(
                InventoryMovement.location_id, InventoryMovement.sku_id, InventoryMovement.bucket
            )
        ):
            ledger[(location_id, sku_id, bucket)] = int(total)
        shipments = {
            shipment.id: shipment
            for shipment in (await session.execute(select(Shipment))).scalars()
        }
        held: dict[tuple[int, int], int] = defaultdict(int)
        per_line: dict[int, int] = defaultdict(int)
        for allocation in (await session.execute(select(Allocation))).scalars():
            if allocation.status in HOLDING or allocation.status == AllocationStatus.SHIPPED:
                shipment = shipments.get(allocation.shipment_id)  # type: ignore[arg-type]
                assert shipment is not None, f"allocation {allocation.id} is in no shipment"
                assert (shipment.order_id, shipment.location_id) == (
                    allocation.order_id,
                    allocation.location_id,
                ), f"allocation {allocation.id} is in another order's or location's shipment"
                assert shipment.status != "CANCELLED", (
                    f"allocation {allocation.id} in a cancelled shipment"
                )
            if allocation.status in HOLDING:
                held[(allocation.location_id, allocation.sku_id)] += allocation.quantity
            if allocation.status != AllocationStatus.RELEASED.value:
                per_line[allocation.order_line_id] += allocation.quantity
        lines = list((await session.execute(select(OrderLine))).scalars())
        payments = list((await session.execute(select(Payment))).scalars())

    for level in levels:
        key = (level.location_id, level.sku_id)
        assert 0 <= level.reserved <= level.on_hand, f"invariant 1 at {key}"
        assert level.reserved == held[key], f"invariant 2 at {key}: {level.reserved} != {held[key]}"
        for bucket in InventoryBucket:
            counter = getattr(level, bucket.value)
            assert counter == ledger[(*key, bucket.value)], f"invariant 3 ({bucket}) at {key}"
    for line in lines:
        assert (
            line.quantity_allocated + line.quantity_backordered + line.quantity_cancelled
            == line.quantity
        ), f"invariant 4 on line {line.id}"
        assert line.quantity_fulfilled <= line.quantity_allocated
        assert line.quantity_returned <= line.quantity_fulfilled
        assert line.quantity_allocated == per_line[line.id], f"allocations of line {line.id}"
    for payment in payments:
        assert payment.amount_captured <= payment.amount_authorized, "invariant 5"
        assert payment.amount_refunded <= payment.amount_captured, "invariant 5"
