"""Packing: the picked units go into packages, checked against what was scanned."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlmodel import col

from api.catalog.models import Sku
from api.db import UnitOfWork
from api.dbtypes import utcnow
from api.errors import IllegalTransition, InvalidInput
from api.fulfilment.events import ShipmentPacked
from api.fulfilment.models import Package
from api.orders.models import Allocation, Shipment
from api.orders.rules import SHIPMENT
from api.orders.statuses import AllocationStatus, ShipmentStatus

MAX_PACKAGE_GRAMS = 70_000
MAX_SIDE_CM = 300
MAX_PACKAGES = 50


@dataclass(frozen=True)
class PackageSpec:
    weight_grams: int
    length_cm: int | None = None
    width_cm: int | None = None
    height_cm: int | None = None


async def lock_shipment(uow: UnitOfWork, shipment_id: int) -> Shipment:
    return await uow.lock(Shipment, shipment_id, what="shipment", field="shipmentId")


async def shipment_contents(uow: UnitOfWork, shipment_id: int) -> list[tuple[Allocation, Sku]]:
    result = await uow.session.execute(
        select(Allocation, Sku)
        .join(Sku, col(Sku.id) == col(Allocation.sku_id))
        .where(col(Allocation.shipment_id) == shipment_id)
        .order_by(col(Allocation.id))
    )
    return [(allocation, sku) for allocation, sku in result.all()]


def _checked_packages(packages: list[PackageSpec]) -> None:
    if not 1 <= len(packages) <= MAX_PACKAGES:
        raise InvalidInput(f"give 1 to {MAX_PACKAGES} packages", field=["packages"])
    for index, package in enumerate(packages):
        field = ["packages", str(index)]
        if not 1 <= package.weight_grams <= MAX_PACKAGE_GRAMS:
            raise InvalidInput(
                f"a package weighs 1 to {MAX_PACKAGE_GRAMS} g", field=[*field, "weightGrams"]
            )
        for name in ("length_cm", "width_cm", "height_cm"):
            side = getattr(package, name)
            if side is not None and not 1 <= side <= MAX_SIDE_CM:
                camel = name.replace("_cm", "Cm")
                raise InvalidInput(f"a side is 1 to {MAX_SIDE_CM} cm", field=[*field, camel])


def _checked_scan(picked: Counter[str], scanned: list[str], barcodes: dict[str, str]) -> None:
    """Every scanned code (SKU code or barcode) must be a picked unit, and all of them scanned."""
    counted: Counter[str] = Counter()
    for index, code in enumerate(scanned):
        sku = barcodes.get(code.strip(), code.strip())
        if picked[sku] == 0:
            raise InvalidInput(
                f"{code} is not in this shipment: wrong item", field=["scannedSkus", str(index)]
            )
        counted[sku] += 1
        if counted[sku] > picked[sku]:
            raise InvalidInput(
                f"{code} scanned {counted[sku]} times, {picked[sku]} picked",
                field=["scannedSkus", str(index)],
            )
    missing = picked - counted
    if missing:
        sku, units = sorted(missing.items())[0]
        raise InvalidInput(f"{units} x {sku} picked but not scanned", field=["scannedSkus"])


async def pack_shipment(
    uow: UnitOfWork,
    *,
    shipment_id: int,
    packages: list[PackageSpec],
    scanned_skus: list[str] | None = None,
) -> Shipment:
    """Closes the picked shipment into packages; a scan that does not match stops it."""
    _checked_packages(packages)
    shipment = await lock_shipment(uow, shipment_id)
    SHIPMENT.check(shipment, ShipmentStatus.PACKED, shipment_id)
    contents = await shipment_contents(uow, shipment_id)
    unpicked = sum(a.quantity for a, _ in contents if a.status == AllocationStatus.RESERVED)
    if unpicked:
        raise IllegalTransition(
            f"shipment {shipment_id} still has {unpicked} units to pick", field=["shipmentId"]
        )
    picked: Counter[str] = Counter()
    for allocation, sku in contents:
        if allocation.status == AllocationStatus.PICKED:
            picked[sku.code] += allocation.quantity
    if not picked:
        raise IllegalTransition(f"shipment {shipment_id} has nothing picked", field=["shipmentId"])
    if scanned_skus is not None:
        barcodes = {sku.barcode: sku.code for _, sku in contents if sku.barcode}
        _checked_scan(picked, scanned_skus, barcodes)
    now = utcnow()
    await uow.session.execute(
        insert(Package),
        [
            {
                "shipment_id": shipment_id,
                "weight_grams": package.weight_grams,
                "length_cm": package.length_cm,
                "width_cm": package.width_cm,
                "height_cm": package.height_cm,
                "created_at": now,
            }
            for package in packages
        ],
    )
    SHIPMENT.move(shipment, ShipmentStatus.PACKED, shipment_id)
    shipment.packed_at = now
    shipment.version += 1
    shipment.updated_at = now
    uow.record(
        ShipmentPacked(
            shipment_id=shipment_id,
            order_id=shipment.order_id,
            packages=len(packages),
            weight_grams=sum(p.weight_grams for p in packages),
            units=dict(picked),
        )
    )
    await uow.commit()
    return shipment
