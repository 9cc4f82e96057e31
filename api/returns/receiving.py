"""Receiving a return: each unit counted in, with the disposition that puts it in the right
inventory state (restocked, damaged, to quality control, disposed of, or missing)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import col

from api.catalog.models import Sku
from api.db import UnitOfWork
from api.dbtypes import utcnow
from api.errors import InvalidInput, NotFound
from api.events import reactions
from api.idempotency import service as idempotency
from api.inventory import ledger
from api.inventory.facts import StockArrived
from api.inventory.models import MovementKind
from api.inventory.statuses import InventoryBucket
from api.orders.changes import order_lines_of
from api.orders.models import order_number
from api.returns.events import LineReceived, ReturnReceived
from api.returns.models import ItemCondition, Return, ReturnDisposition, ReturnLine
from api.returns.rules import RETURN
from api.returns.service import lock_return, shipped_from
from api.returns.statuses import ReturnStatus

DISPOSITION_BUCKET = {
    ReturnDisposition.RESTOCK: InventoryBucket.ON_HAND,
    ReturnDisposition.DAMAGED: InventoryBucket.DAMAGED,
    ReturnDisposition.QUALITY_CONTROL: InventoryBucket.QUALITY_CONTROL,
}


@dataclass(frozen=True)
class ReceivedLine:
    return_line_id: int
    quantity: int
    condition: ItemCondition
    disposition: ReturnDisposition
    location_id: int | None = None


async def receive_return(
    uow: UnitOfWork,
    *,
    return_id: int,
    lines: Sequence[ReceivedLine],
    idempotency_key: str | None = None,
) -> Return:
    """Takes the parcel in: per line what arrived, its condition and where it goes."""
    found = await lock_return(uow, return_id)
    request = {
        "returnId": return_id,
        "lines": [
            [line.return_line_id, line.quantity, line.condition, line.disposition, line.location_id]
            for line in lines
        ],
    }
    if first := await idempotency.first_row(uow, Return, idempotency_key, "receiveReturn", request):
        return first
    RETURN.check(found, ReturnStatus.INSPECTED, return_id, doing="received")
    return_lines = {
        line.id: line
        for line in (
            await uow.session.execute(
                select(ReturnLine).where(col(ReturnLine.return_id) == return_id)
            )
        ).scalars()
    }
    _require_receivable(lines, return_lines)
    order_lines = {line.id: line for line in await order_lines_of(uow, found.order_id)}
    number = order_number(found.order_id)
    for index, received in enumerate(lines):
        line = return_lines[received.return_line_id]
        await _take_in(uow, index, received, line, number)
        order_lines[line.order_line_id].quantity_returned += line.quantity_received
    now = utcnow()
    RETURN.move(found, ReturnStatus.INSPECTED, return_id)
    found.received_at = now
    found.version += 1
    found.updated_at = now
    uow.record(
        ReturnReceived(
            order_id=found.order_id,
            number=number,
            return_id=return_id,
            lines=[
                LineReceived(
                    return_line_id=r.return_line_id,
                    quantity=r.quantity,
                    condition=r.condition,
                    disposition=r.disposition,
                    location_id=return_lines[r.return_line_id].location_id,
                )
                for r in lines
            ],
        )
    )
    await idempotency.remember_row(uow, idempotency_key, return_id)
    await uow.commit()
    return found


async def _take_in(
    uow: UnitOfWork, index: int, received: ReceivedLine, line: ReturnLine, number: str
) -> None:
    """Records what arrived of one return line and puts it in the inventory state its
    disposition names, at the location it shipped from unless another is given."""
    arrived = 0 if received.disposition is ReturnDisposition.MISSING else received.quantity
    location_id = received.location_id or await shipped_from(uow, line.order_line_id)
    bucket = DISPOSITION_BUCKET.get(received.disposition)
    if arrived and bucket is not None:
        if location_id is None:
            raise InvalidInput("say where the units go", field=["lines", str(index), "locationId"])
        await ledger.find_location(uow, location_id, f"lines.{index}.locationId")
        await _put_away(uow, location_id, line.sku_id, bucket, arrived, number)
    line.quantity_received = arrived
    line.condition = received.condition
    line.disposition = received.disposition
    line.location_id = location_id


def _require_receivable(
    lines: Sequence[ReceivedLine], return_lines: dict[int | None, ReturnLine]
) -> None:
    """Each line of this return named once, with no more units than were to come back."""
    if not lines:
        raise InvalidInput("name at least one line", field=["lines"])
    seen: set[int] = set()
    for index, received in enumerate(lines):
        field = ["lines", str(index)]
        line = return_lines.get(received.return_line_id)
        if line is None:
            raise NotFound("return line", received.return_line_id, field=[*field, "returnLineId"])
        if received.return_line_id in seen:
            raise InvalidInput("name each return line once", field=[*field, "returnLineId"])
        seen.add(received.return_line_id)
        if not 0 <= received.quantity <= line.quantity:
            raise InvalidInput(
                f"0 to {line.quantity} units of this line can be received",
                field=[*field, "quantity"],
            )


async def _put_away(
    uow: UnitOfWork,
    location_id: int,
    sku_id: int,
    bucket: InventoryBucket,
    arrived: int,
    number: str,
) -> None:
    """Counts the units into the disposition's bucket; restocked units may fill backorders."""
    await ledger.ensure_level(uow, location_id, sku_id)
    deltas = {bucket: arrived}
    level = await ledger.change_level(uow, location_id, sku_id, deltas)
    assert level is not None
    restocked = bucket is InventoryBucket.ON_HAND
    kind = MovementKind.RETURN_RESTOCK if restocked else MovementKind.RETURN_RECEIPT
    await ledger.record_movements(uow, level, deltas, kind, reference=number)
    if restocked:
        sku = await uow.session.get(Sku, sku_id)
        assert sku is not None
        await reactions.announce(uow, StockArrived(level, sku.code))
