from __future__ import annotations

from dataclasses import dataclass

import pytest

from api.orders.placement import PlacedOrder
from api.orders.statuses import ShipmentStatus
from tests.service.fulfilment.conftest import Warehouse, warehouse  # noqa: F401  (fixture)
from tests.service.fulfilment.test_shipping import pack, picked, ship, track


@dataclass
class Delivered:
    warehouse: Warehouse
    placed: PlacedOrder


async def deliver(shop: Warehouse, *lines: tuple[str, int]) -> PlacedOrder:
    """An order placed, picked, packed, shipped from Berlin and reported delivered."""
    placed = await shop.place(*lines)
    for shipment in await picked(shop, shop.berlin.id):  # type: ignore[arg-type]
        await pack(shop.database, shipment.id)  # type: ignore[arg-type]
        shipped = await ship(shop.database, shipment.id)  # type: ignore[arg-type]
        await track(shop.database, shipped.tracking_number or "", ShipmentStatus.DELIVERED, 5)
    return placed


@pytest.fixture
async def delivered(warehouse: Warehouse) -> Delivered:  # noqa: F811
    return Delivered(warehouse, await deliver(warehouse, ("S1", 3), ("S2", 1)))
