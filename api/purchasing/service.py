"""Purchase orders: DRAFT → ORDERED → PARTIALLY_RECEIVED → RECEIVED, or CANCELLED before the
last unit arrives.

Ordering puts the units in the location's ``incoming``; receiving moves them to ``on_hand``
(never more than ordered), averages the SKU's unit cost over the stock it joins and fills
backorders oldest first; cancelling takes what has not arrived out of ``incoming``. Each
command locks the purchase order first, so two receipts of one order never count the same
units twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlmodel import col

from api import validation
from api.catalog.models import Sku
from api.db import UnitOfWork
from api.dbtypes import utcnow
from api.errors import AlreadyExists, InvalidInput, NotFound, OverReceipt
from api.events import reactions
from api.idempotency import service as idempotency
from api.inventory import ledger
from api.inventory.events import LevelSnapshot
from api.inventory.facts import StockArrived
from api.inventory.models import InventoryLevel, MovementKind
from api.inventory.statuses import InventoryBucket
from api.purchasing.events import (
    PurchasedUnits,
    PurchaseOrderCancelled,
    PurchaseOrderCreated,
    PurchaseOrderOrdered,
    PurchaseOrderReceived,
    SupplierCreated,
    SupplierSkuRemoved,
    SupplierSkuSet,
)
from api.purchasing.models import (
    PurchaseOrder,
    PurchaseOrderLine,
    Supplier,
    SupplierSku,
    purchase_order_number,
)
from api.purchasing.rules import PURCHASE_ORDER
from api.purchasing.statuses import PurchaseOrderStatus

MAX_LINES = 500
MAX_LEAD_TIME_DAYS = 365


@dataclass(frozen=True)
class PurchaseLine:
    sku: str
    quantity: int
    unit_cost: int


@dataclass(frozen=True)
class ReceivedUnits:
    sku: str
    quantity: int


async def create_supplier(
    uow: UnitOfWork, *, code: str, name: str, lead_time_days: int
) -> Supplier:
    code = validation.code(code, "code")
    name = validation.text(name, "name")
    validation.in_range(lead_time_days, "leadTimeDays", 0, MAX_LEAD_TIME_DAYS)
    taken = await uow.session.execute(select(col(Supplier.id)).where(col(Supplier.code) == code))
    if taken.first() is not None:
        raise AlreadyExists("supplier", code, field=["code"])
    supplier = Supplier(code=code, name=name, lead_time_days=lead_time_days)
    uow.session.add(supplier)
    await uow.session.flush()
    assert supplier.id is not None
    uow.record(
        SupplierCreated(
            supplier_id=supplier.id, code=code, name=name, lead_time_days=lead_time_days
        )
    )
    await uow.commit()
    return supplier


async def set_supplier_sku(
    uow: UnitOfWork, *, supplier_code: str, sku_code: str, pack_size: int, unit_cost: int
) -> SupplierSku:
    """Records that the supplier sells the SKU, in packs of ``pack_size`` at ``unit_cost``, or
    changes those terms."""
    validation.in_range(pack_size, "packSize", 1, validation.MAX_QUANTITY)
    validation.money(unit_cost, "unitCost", minimum=0)
    supplier = await find_supplier(uow, supplier_code)
    sku = await ledger.find_sku(uow, sku_code)
    found = await uow.session.execute(
        select(SupplierSku).where(
            col(SupplierSku.supplier_id) == supplier.id, col(SupplierSku.sku_id) == sku.id
        )
    )
    terms = found.scalars().first() or SupplierSku(
        supplier_id=supplier.id,  # type: ignore[arg-type]
        sku_id=sku.id,  # type: ignore[arg-type]
        pack_size=pack_size,
        unit_cost=unit_cost,
    )
    terms.pack_size, terms.unit_cost, terms.updated_at = pack_size, unit_cost, utcnow()
    uow.session.add(terms)
    await uow.session.flush()
    assert supplier.id is not None
    uow.record(
        SupplierSkuSet(
            supplier_id=supplier.id, sku=sku.code, pack_size=pack_size, unit_cost=unit_cost
        )
    )
    await uow.commit()
    return terms


async def remove_supplier_sku(uow: UnitOfWork, *, supplier_code: str, sku_code: str) -> int:
    """The supplier no longer sells the SKU; its id."""
    supplier = await find_supplier(uow, supplier_code)
    sku = await ledger.find_sku(uow, sku_code)
    removed = await uow.session.execute(
        delete(SupplierSku).where(
            col(SupplierSku.supplier_id) == supplier.id, col(SupplierSku.sku_id) == sku.id
        )
    )
    if not removed.rowcount:  # type: ignore[attr-defined]
        raise NotFound("SKU of that supplier", sku.code, field=["sku"])
    assert supplier.id is not None
    uow.record(SupplierSkuRemoved(supplier_id=supplier.id, sku=sku.code))
    await uow.commit()
    return supplier.id


async def create_purchase_order(
    uow: UnitOfWork,
    *,
    supplier_code: str,
    location_id: int,
    lines: Sequence[PurchaseLine],
    expected_at: datetime | None = None,
) -> PurchaseOrder:
    """A DRAFT: nothing is on its way until it is ordered. Expected after the supplier's lead
    time unless told otherwise."""
    supplier = await find_supplier(uow, supplier_code)
    await ledger.find_location(uow, location_id)
    if not 1 <= len(lines) <= MAX_LINES:
        raise InvalidInput(f"a purchase order has 1 to {MAX_LINES} lines", field=["lines"])
    now = utcnow()
    if expected_at is not None and expected_at < now - timedelta(days=1):
        raise InvalidInput("expectedAt lies in the past", field=["expectedAt"])
    skus: dict[str, Sku] = {}
    for index, line in enumerate(lines):
        field = f"lines.{index}"
        validation.positive_quantity(line.quantity, f"{field}.quantity")
        validation.money(line.unit_cost, f"{field}.unitCost", minimum=0)
        code = line.sku.strip()
        if code in skus:
            raise InvalidInput(f"SKU {code} is on two lines: merge them", field=[f"{field}.sku"])
        sku = await ledger.find_sku(uow, code)
        skus[code] = sku
    order = PurchaseOrder(
        supplier_id=supplier.id,  # type: ignore[arg-type]
        location_id=location_id,
        expected_at=expected_at or now + timedelta(days=supplier.lead_time_days),
        created_at=now,
    )
    uow.session.add(order)
    await uow.session.flush()
    assert order.id is not None
    for line in lines:
        uow.session.add(
            PurchaseOrderLine(
                purchase_order_id=order.id,
                sku_id=skus[line.sku.strip()].id,  # type: ignore[arg-type]
                quantity=line.quantity,
                unit_cost=line.unit_cost,
            )
        )
    uow.record(
        PurchaseOrderCreated(
            purchase_order_id=order.id,
            number=purchase_order_number(order.id),
            supplier=supplier.code,
            location_id=location_id,
            expected_at=order.expected_at,
            lines=[
                PurchasedUnits(
                    sku=line.sku.strip(), quantity=line.quantity, unit_cost=line.unit_cost
                )
                for line in lines
            ],
        )
    )
    await uow.commit()
    return order


async def order_purchase_order(uow: UnitOfWork, *, purchase_order_id: int) -> PurchaseOrder:
    """Sends the order to the supplier: its units become the location's ``incoming``."""
    order = await _lock(uow, purchase_order_id)
    PURCHASE_ORDER.check(order, PurchaseOrderStatus.ORDERED, _number(order), doing="ordered")
    now = utcnow()
    levels = []
    for line, sku in await _lines(uow, order):
        level = await _move(uow, order, sku, {InventoryBucket.INCOMING: line.quantity},
                            MovementKind.PURCHASE_ORDERED)  # fmt: skip
        levels.append(LevelSnapshot.of(level, sku))
    PURCHASE_ORDER.move(order, PurchaseOrderStatus.ORDERED, _number(order))
    order.ordered_at = now
    order.version += 1
    uow.record(
        PurchaseOrderOrdered(
            purchase_order_id=purchase_order_id,
            number=_number(order),
            status=order.status,
            levels=levels,
        )
    )
    await uow.commit()
    return order


async def receive_purchase_order(
    uow: UnitOfWork,
    *,
    purchase_order_id: int,
    lines: Sequence[ReceivedUnits] | None = None,
    idempotency_key: str | None = None,
) -> PurchaseOrder:
    """Books what arrived (``lines``; None: everything still expected). More than a line still
    expects is refused with OVER_RECEIPT and nothing is received."""
    order = await _lock(uow, purchase_order_id)
    request = {
        "purchaseOrderId": purchase_order_id,
        "lines": [[line.sku, line.quantity] for line in lines] if lines is not None else None,
    }
    if first := await idempotency.first_row(
        uow, PurchaseOrder, idempotency_key, "receivePurchaseOrder", request
    ):
        return first
    PURCHASE_ORDER.check(order, PurchaseOrderStatus.RECEIVED, _number(order), doing="received")
    ordered = await _lines(uow, order)
    by_code = {sku.code: (line, sku) for line, sku in ordered}
    arrived = _arrivals(ordered, by_code, lines)
    now = utcnow()
    levels, received = [], []
    for (line, sku), units in arrived:
        await _average_cost(uow, sku, units, line.unit_cost, now)
        level = await _move(
            uow, order, sku, {InventoryBucket.INCOMING: -units, InventoryBucket.ON_HAND: units},
            MovementKind.PURCHASE_RECEIPT,
        )  # fmt: skip
        line.quantity_received += units
        if any(await reactions.announce(uow, StockArrived(level, sku.code))):
            level = await ledger.current_level(uow, order.location_id, level.sku_id) or level
        levels.append(LevelSnapshot.of(level, sku))
        received.append(PurchasedUnits(sku=sku.code, quantity=units, unit_cost=sku.unit_cost))
    everything = not any(line.outstanding for line, _sku in ordered)
    PURCHASE_ORDER.move(
        order,
        PurchaseOrderStatus.RECEIVED if everything else PurchaseOrderStatus.PARTIALLY_RECEIVED,
        _number(order),
    )
    order.received_at = now if everything else None
    order.version += 1
    uow.record(
        PurchaseOrderReceived(
            purchase_order_id=purchase_order_id,
            number=_number(order),
            status=order.status,
            levels=levels,
            received=received,
        )
    )
    await idempotency.remember_row(uow, idempotency_key, purchase_order_id)
    await uow.commit()
    return order


async def cancel_purchase_order(
    uow: UnitOfWork, *, purchase_order_id: int, reason: str
) -> PurchaseOrder:
    """Stops what has not arrived: it leaves ``incoming``; what arrived stays received."""
    reason = validation.text(reason, "reason", max_length=500)
    order = await _lock(uow, purchase_order_id)
    PURCHASE_ORDER.check(order, PurchaseOrderStatus.CANCELLED, _number(order), doing="cancelled")
    levels = []
    if order.status != PurchaseOrderStatus.DRAFT:
        for line, sku in await _lines(uow, order):
            if line.outstanding:
                level = await _move(uow, order, sku, {InventoryBucket.INCOMING: -line.outstanding},
                                    MovementKind.PURCHASE_CANCELLED)  # fmt: skip
                levels.append(LevelSnapshot.of(level, sku))
    PURCHASE_ORDER.move(order, PurchaseOrderStatus.CANCELLED, _number(order))
    order.cancelled_at = utcnow()
    order.cancel_reason = reason
    order.version += 1
    uow.record(
        PurchaseOrderCancelled(
            purchase_order_id=purchase_order_id,
            number=_number(order),
            status=order.status,
            levels=levels,
            reason=reason,
        )
    )
    await uow.commit()
    return order


async def find_supplier(uow: UnitOfWork, code: str) -> Supplier:
    """The supplier with that code; NotFound naming the input ``supplier`` when there is none."""
    found = await uow.session.execute(select(Supplier).where(col(Supplier.code) == code.strip()))
    supplier = found.scalars().first()
    if supplier is None:
        raise NotFound("supplier", code, field=["supplier"])
    return supplier


async def _lock(uow: UnitOfWork, purchase_order_id: int) -> PurchaseOrder:
    return await uow.lock(
        PurchaseOrder, purchase_order_id, what="purchase order", field="purchaseOrderId"
    )


def _number(order: PurchaseOrder) -> str:
    assert order.id is not None
    return purchase_order_number(order.id)


async def _lines(uow: UnitOfWork, order: PurchaseOrder) -> list[tuple[PurchaseOrderLine, Sku]]:
    found = await uow.session.execute(
        select(PurchaseOrderLine, Sku)
        .join(Sku, col(Sku.id) == col(PurchaseOrderLine.sku_id))
        .where(col(PurchaseOrderLine.purchase_order_id) == order.id)
        .order_by(col(PurchaseOrderLine.id))
    )
    return [(line, sku) for line, sku in found.all()]


def _arrivals(
    ordered: list[tuple[PurchaseOrderLine, Sku]],
    by_code: dict[str, tuple[PurchaseOrderLine, Sku]],
    lines: Sequence[ReceivedUnits] | None,
) -> list[tuple[tuple[PurchaseOrderLine, Sku], int]]:
    if lines is None:
        return [(pair, pair[0].outstanding) for pair in ordered if pair[0].outstanding]
    if not lines:
        raise InvalidInput("name at least one line that arrived", field=["lines"])
    arrived: dict[str, int] = {}
    for index, line in enumerate(lines):
        field = f"lines.{index}"
        code = line.sku.strip()
        validation.positive_quantity(line.quantity, f"{field}.quantity")
        if code not in by_code:
            raise InvalidInput(f"SKU {code} is not on this purchase order", field=[f"{field}.sku"])
        if code in arrived:
            raise InvalidInput(f"SKU {code} is named twice: merge them", field=[f"{field}.sku"])
        outstanding = by_code[code][0].outstanding
        if line.quantity > outstanding:
            raise OverReceipt(
                f"{line.quantity} of {code} arrived but only {outstanding} are still expected",
                field=[f"{field}.quantity"],
                outstanding=outstanding,
            )
        arrived[code] = line.quantity
    return [(by_code[code], units) for code, units in arrived.items()]


async def _average_cost(
    uow: UnitOfWork, sku: Sku, units: int, unit_cost: int, now: datetime
) -> None:
    """The SKU's unit cost becomes the average over the stock on hand everywhere and what
    arrives, each at its own cost."""
    on_hand = (
        await uow.session.execute(
            select(func.coalesce(func.sum(col(InventoryLevel.on_hand)), 0)).where(
                col(InventoryLevel.sku_id) == sku.id
            )
        )
    ).scalar_one()
    held = max(int(on_hand), 0)
    sku.unit_cost = round((held * sku.unit_cost + units * unit_cost) / (held + units))
    sku.updated_at = now


async def _move(
    uow: UnitOfWork,
    order: PurchaseOrder,
    sku: Sku,
    deltas: dict[InventoryBucket, int],
    kind: MovementKind,
) -> InventoryLevel:
    assert sku.id is not None and order.id is not None
    await ledger.ensure_level(uow, order.location_id, sku.id)
    leaving = -deltas[InventoryBucket.INCOMING]
    guards = [col(InventoryLevel.incoming) >= leaving] if leaving > 0 else []
    level = await ledger.change_level(uow, order.location_id, sku.id, deltas, *guards)
    assert level is not None, "incoming always covers what a purchase order still expects"
    await ledger.record_movements(
        uow, level, deltas, kind, reference=purchase_order_number(order.id)
    )
    return level
