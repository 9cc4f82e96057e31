from __future__ import annotations

import pytest

from api.db import Database
from api.purchasing import service
from tests.service.orders.conftest import Shop, make_shop

STAFF = "staff:1"


async def shop_with_supplier(database: Database) -> Shop:
    """The order tests' shop, and the supplier ACME (10 days' lead time)."""
    shop = await make_shop(database)
    async with database.unit_of_work(STAFF) as uow:
        await service.create_supplier(uow, code="ACME", name="Acme Textiles", lead_time_days=10)
    return shop


@pytest.fixture
async def shop(database: Database) -> Shop:
    return await shop_with_supplier(database)
