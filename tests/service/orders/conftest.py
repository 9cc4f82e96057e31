from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from api.auth import SYSTEM_ACTOR
from api.catalog.service import SkuFields, create_product
from api.db import Database
from api.events.models import Event
from api.inventory.models import InventoryLevel, InventoryMovement
from api.locations.models import Location
from api.orders.models import Allocation, Order, OrderLine
from api.orders.placement import PlacedOrder, place_order
from api.orders.requests import LineRequest, PlaceOrderRequest, ShippingAddress
from api.orders.routing import OrderPolicy
from api.payments.models import Payment, PaymentTransaction
from api.payments.provider import TestPaymentProvider
from tests.factories import make_channel, make_location, receive

POTSDAM = ShippingAddress(
    name="Ada Lovelace",
    line1="Am Neuen Markt 1",
    city="Potsdam",
    postal_code="14467",
    country="DE",
    latitude=52.3906,
    longitude=13.0645,
)


@dataclass
class Shop:
    database: Database
    payments: TestPaymentProvider
    berlin: Location
    munich: Location
    policy: OrderPolicy

    async def place(self, *lines: tuple[str, int], **overrides: object) -> PlacedOrder:
        request = order_request(*lines, **overrides)
        async with self.database.unit_of_work("staff:1") as uow:
            return await place_order(uow, self.payments, request, self.policy)


def order_request(*lines: tuple[str, int], **overrides: object) -> PlaceOrderRequest:
    fields: dict[str, object] = {
        "channel": "web",
        "customer_email": "ada@example.com",
        "customer_name": "Ada Lovelace",
        "lines": [LineRequest(sku, quantity) for sku, quantity in lines or [("TEE-M", 1)]],
        "address": POTSDAM,
        "payment_method": "card",
        "payment_token": "tok_visa",
    }
    fields.update(overrides)
    return PlaceOrderRequest(**fields)  # type: ignore[arg-type]


@pytest.fixture
async def shop(database: Database) -> Shop:
    return await make_shop(database)


async def make_shop(database: Database) -> Shop:
    """A web channel, tees stocked in Berlin and Munich, and a mug sold on backorder."""
    await make_channel(database, "web")
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        await create_product(
            uow,
            name="Tee",
            skus=[
                SkuFields("TEE-M", "Tee M", price=2000, unit_cost=800, weight_grams=200),
                SkuFields("TEE-L", "Tee L", price=2000, weight_grams=220),
                SkuFields("MUG", "Mug", price=1250, weight_grams=400, allow_backorder=True),
            ],
        )
    berlin = await make_location(database, "BER")
    munich = await make_location(database, "MUC")
    await receive(database, berlin, "TEE-M", 10)
    await receive(database, munich, "TEE-M", 10)
    await receive(database, munich, "TEE-L", 5)
    return Shop(database, TestPaymentProvider(), berlin, munich, OrderPolicy())


TABLES = (Order, OrderLine, Allocation, Payment, PaymentTransaction, Event, InventoryMovement)


async def row_counts(database: Database) -> dict[str, int]:
    async with database.session() as session:
        counts = {
            table.__tablename__: (
                await session.execute(select(func.count()).select_from(table))
            ).scalar_one()
            for table in TABLES
        }
        counts["reserved"] = (
            await session.execute(select(func.coalesce(func.sum(InventoryLevel.reserved), 0)))
        ).scalar_one()
    return counts
