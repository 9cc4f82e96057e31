from __future__ import annotations

from dataclasses import dataclass

import pytest

from api.auth import SYSTEM_ACTOR
from api.db import Database
from api.inventory.service import assign_bin
from api.locations.models import Location
from api.locations.service import create_bin
from api.orders.placement import PlacedOrder, place_order
from api.orders.routing import OrderPolicy
from api.payments.provider import TestPaymentProvider
from tests.factories import make_channel, make_location, make_product, receive
from tests.service.orders.conftest import order_request

# Four bins on a fixed layout (aisle, bay): see tests/unit/test_fulfilment_rules.py.
LAYOUT = {"S1": ("A", 1, 2), "S2": ("B", 1, 5), "S3": ("C", 2, 5), "S4": ("D", 2, 1)}


@dataclass
class Warehouse:
    database: Database
    berlin: Location
    munich: Location
    policy: OrderPolicy

    async def place(self, *lines: tuple[str, int], email: str = "ada@example.com") -> PlacedOrder:
        request = order_request(*lines, customer_email=email)
        async with self.database.unit_of_work("staff:1") as uow:
            return await place_order(uow, TestPaymentProvider(), request, self.policy)


@pytest.fixture
async def warehouse(database: Database) -> Warehouse:
    return await make_warehouse(database, OrderPolicy())


async def make_warehouse(database: Database, policy: OrderPolicy) -> Warehouse:
    """Berlin (nearest to the Potsdam customer) with bins for S1-S4; Munich as a fallback."""
    await make_channel(database, "web")
    await make_product(database, *LAYOUT)
    berlin = await make_location(database, "BER")
    munich = await make_location(database, "MUC")
    assert berlin.id is not None
    for sku, (bin_code, aisle, bay) in LAYOUT.items():
        async with database.unit_of_work(SYSTEM_ACTOR) as uow:
            await create_bin(uow, location_id=berlin.id, code=bin_code, aisle=aisle, bay=bay)
        async with database.unit_of_work(SYSTEM_ACTOR) as uow:
            await assign_bin(uow, location_id=berlin.id, sku_code=sku, bin_code=bin_code)
        await receive(database, berlin, sku, 10)
    return Warehouse(database, berlin, munich, policy)
