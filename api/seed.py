"""Demo data, loaded through the same services the API uses (so it obeys every rule)."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from api.auth import SYSTEM_ACTOR, Role
from api.catalog.service import SkuFields, create_product
from api.channels.models import Channel
from api.channels.service import create_channel
from api.customers.service import AddressInput, add_address, link_customer
from api.db import Database
from api.errors import DomainError
from api.inventory.service import assign_bin, receive_inventory, set_safety_stock
from api.locations.service import AddressFields, create_bin, create_location
from api.orders.changes import cancel_order
from api.orders.placement import place_order
from api.orders.requests import LineRequest, PlaceOrderRequest, ShippingAddress
from api.orders.routing import OrderPolicy
from api.payments.provider import TestPaymentProvider
from api.purchasing.service import create_supplier, set_supplier_sku
from api.users.service import create_user

DEMO_LOGINS = [
    ("admin@example.com", "admin-password", Role.ADMIN.value),
    ("manager@example.com", "manager-password", Role.MANAGER.value),
    ("warehouse@example.com", "warehouse-password", Role.WAREHOUSE.value),
    ("support@example.com", "support-password", Role.SUPPORT.value),
]

CHANNELS = [("web", "Web shop"), ("marketplace", "Marketplace"), ("pos", "Point of sale")]

# code, name, street, city, postal code, country, latitude, longitude, ships, priority
LOCATIONS = [
    (
        "BER-WH",
        "Berlin warehouse",
        "Am Borsigturm 100",
        "Berlin",
        "13507",
        "DE",
        52.5877,
        13.2846,
        True,
        1,
    ),
    (
        "HAM-WH",
        "Hamburg warehouse",
        "Ausschläger Elbdeich 4",
        "Hamburg",
        "20539",
        "DE",
        53.5389,
        10.0345,
        True,
        2,
    ),
    (
        "MUC-ST",
        "Munich store",
        "Kaufingerstraße 14",
        "Munich",
        "80331",
        "DE",
        48.1374,
        11.5734,
        True,
        3,
    ),
    (
        "CGN-3PL",
        "Cologne 3PL",
        "Butzweilerhofallee 5",
        "Cologne",
        "50829",
        "DE",
        50.9738,
        6.8935,
        True,
        4,
    ),
    (
        "VIE-ST",
        "Vienna store",
        "Mariahilfer Straße 77",
        "Vienna",
        "1060",
        "AT",
        48.1986,
        16.3494,
        False,
        5,
    ),
]

PRODUCTS = [
    "Trail Runner",
    "City Sneaker",
    "Wool Sock",
    "Rain Jacket",
    "Fleece Hoodie",
    "Merino Tee",
    "Canvas Tote",
    "Travel Backpack",
    "Down Vest",
    "Chino Trouser",
    "Denim Jacket",
    "Linen Shirt",
    "Beanie",
    "Sun Cap",
    "Leather Belt",
    "Hiking Boot",
    "Yoga Legging",
    "Swim Short",
    "Puffer Coat",
    "Knit Sweater",
    "Polo Shirt",
    "Cargo Short",
    "Rain Boot",
    "Scarf",
    "Glove",
    "Windbreaker",
    "Sport Bra",
    "Running Short",
    "Thermal Top",
    "Sandal",
    "Loafer",
    "Oxford Shirt",
    "Bomber Jacket",
    "Parka",
    "Cardigan",
    "Track Pant",
    "Hoodie Dress",
    "Slip-on",
    "Gym Bag",
    "Duffel",
    "Water Bottle",
    "Lunch Box",
    "Umbrella",
    "Wallet",
    "Card Holder",
    "Key Ring",
    "Sunglasses",
    "Watch Strap",
    "Phone Sleeve",
    "Laptop Sleeve",
]
SIZES = ["S", "M", "L", "XL"]
SUPPLIERS = [
    ("NORDTEX", "Nordtex Garments", 10),
    ("IBERTEX", "Ibertex Confección", 21),
    ("BALTWEAR", "Baltwear", 6),
]
PACK_SIZES = (1, 6, 12, 24)

FIRST_NAMES = ["Anna", "Ben", "Clara", "David", "Emma", "Felix", "Greta", "Hannes", "Ida", "Jonas"]
LAST_NAMES = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber"]
CUSTOMER_CITIES = [
    ("Berlin", "10115", "DE", 52.532, 13.384),
    ("Hamburg", "20095", "DE", 53.550, 10.000),
    ("Munich", "80331", "DE", 48.137, 11.575),
    ("Frankfurt", "60311", "DE", 50.110, 8.682),
    ("Leipzig", "04109", "DE", 51.340, 12.375),
    ("Vienna", "1010", "AT", 48.208, 16.373),
]


# Every location's pick area: aisles of bays, each SKU in one bin.
BIN_AISLES = 6
BIN_BAYS = 10


async def seed_demo_data(database: Database, *, orders: bool = True) -> bool:
    """Loads the demo data set once (without its orders, for a simulated history to come
    first); False when it is already there."""
    async with database.session() as session:
        if (await session.execute(select(col(Channel.id)).limit(1))).first() is not None:
            return False
    rng = random.Random(2026)
    run = _runner(database)
    for email, password, role in DEMO_LOGINS:
        await run(create_user, email=email, password=password, role=Role(role))
    for code, name in CHANNELS:
        await run(create_channel, code=code, name=name)
    location_ids = await _locations_with_bins(run)
    sku_codes = await _catalogue(run, rng)
    await _opening_stock(run, rng, location_ids, sku_codes)
    await _customers(database)
    if orders:
        await _place_demo_orders(database, rng, sku_codes)
    return True


Run = Callable[..., Awaitable[Any]]


def _runner(database: Database) -> Run:
    """Runs one command in its own unit of work, as an operator would one after another."""

    async def run(command: Callable[..., Awaitable[Any]], **arguments: Any) -> Any:
        async with database.unit_of_work(SYSTEM_ACTOR) as uow:
            return await command(uow, **arguments)

    return run


async def _locations_with_bins(run: Run) -> list[int]:
    location_ids = []
    for code, name, street, city, postal, country, lat, lon, ships, priority in LOCATIONS:
        location = await run(
            create_location,
            code=code,
            name=name,
            address=AddressFields(line1=street, city=city, postal_code=postal, country=country),
            latitude=lat,
            longitude=lon,
            ships=ships,
            priority=priority,
        )
        location_ids.append(location.id)
        for aisle in range(1, BIN_AISLES + 1):
            for bay in range(1, BIN_BAYS + 1):
                await run(
                    create_bin,
                    location_id=location.id,
                    code=f"A{aisle:02d}-B{bay:02d}",
                    aisle=aisle,
                    bay=bay,
                )
    return location_ids


async def _catalogue(run: Run, rng: random.Random) -> list[str]:
    """Suppliers, products of four sizes each and what each supplier charges; the SKU codes."""
    for code, name, lead_time_days in SUPPLIERS:
        await run(create_supplier, code=code, name=name, lead_time_days=lead_time_days)
    sku_codes: list[str] = []
    for number, product in enumerate(PRODUCTS, start=1):
        base_price = rng.randrange(990, 19990, 100)
        skus = [
            SkuFields(
                code=f"{product.upper().replace(' ', '')[:10]}-{number:03d}-{size}",
                name=f"{product} {size}",
                price=base_price,
                unit_cost=base_price * rng.randrange(35, 60) // 100,
                weight_grams=rng.randrange(80, 2500, 10),
                barcode=f"400{number:04d}{index:02d}{rng.randrange(1000, 9999)}",
                allow_backorder=number % 10 == 0,
            )
            for index, size in enumerate(SIZES)
        ]
        await run(create_product, name=product, skus=skus)
        sku_codes.extend(sku.code for sku in skus)
        # Each product from one or two suppliers, the second dearer but often quicker.
        for rank, (supplier, _, _) in enumerate(rng.sample(SUPPLIERS, rng.choice((1, 2)))):
            pack_size = rng.choice(PACK_SIZES)
            for sku in skus:
                await run(
                    set_supplier_sku,
                    supplier_code=supplier,
                    sku_code=sku.code,
                    pack_size=pack_size,
                    unit_cost=sku.unit_cost * (100 + 8 * rank) // 100,
                )
    return sku_codes


async def _opening_stock(
    run: Run, rng: random.Random, location_ids: list[int], sku_codes: list[str]
) -> None:
    """Most SKUs in stock at each location, each in its bin, some with a safety stock."""
    for location_id in location_ids:
        for index, code in enumerate(sku_codes):
            if rng.random() < 0.15:
                continue
            await run(
                receive_inventory,
                location_id=location_id,
                sku_code=code,
                quantity=rng.randrange(5, 120),
                reference="opening stock",
            )
            aisle, bay = index % BIN_AISLES + 1, index // BIN_AISLES % BIN_BAYS + 1
            await run(
                assign_bin,
                location_id=location_id,
                sku_code=code,
                bin_code=f"A{aisle:02d}-B{bay:02d}",
            )
            if rng.random() < 0.3:
                await run(
                    set_safety_stock,
                    location_id=location_id,
                    sku_code=code,
                    quantity=rng.randrange(1, 10),
                )


async def _customers(database: Database) -> None:
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        for number in range(50):
            first, last = FIRST_NAMES[number % 10], LAST_NAMES[number // 10]
            customer = await link_customer(
                uow, email=f"{first}.{last}.{number}@example.com".lower(), name=f"{first} {last}"
            )
            city, postal, country, lat, lon = CUSTOMER_CITIES[number % len(CUSTOMER_CITIES)]
            await add_address(
                uow,
                customer_id=customer.id,
                address=AddressInput(
                    name=f"{first} {last}",
                    line1=f"Hauptstraße {number + 1}",
                    city=city,
                    postal_code=postal,
                    country=country,
                    latitude=lat,
                    longitude=lon,
                ),
                is_default=True,
            )
        await uow.commit()


DEMO_ORDERS = 40


async def _place_demo_orders(database: Database, rng: random.Random, sku_codes: list[str]) -> None:
    """A few dozen orders through the real intake, some held, some partly or wholly cancelled."""
    payments = TestPaymentProvider()
    for number in range(DEMO_ORDERS):
        first, last = FIRST_NAMES[number % 10], LAST_NAMES[(number // 10) % len(LAST_NAMES)]
        city, postal, country, lat, lon = CUSTOMER_CITIES[number % len(CUSTOMER_CITIES)]
        lines = [
            LineRequest(code, rng.randrange(1, 4))
            for code in rng.sample(sku_codes, rng.randrange(1, 4))
        ]
        request = PlaceOrderRequest(
            channel=CHANNELS[number % len(CHANNELS)][0],
            customer_email=f"{first}.{last}.{number % 50}@example.com".lower(),
            customer_name=f"{first} {last}",
            lines=lines,
            address=ShippingAddress(
                f"{first} {last}",
                f"Hauptstraße {number + 1}",
                city,
                postal,
                country,
                latitude=lat,
                longitude=lon,
            ),
            payment_token="tok_review" if number % 13 == 0 else "tok_visa",
        )
        try:
            async with database.unit_of_work(SYSTEM_ACTOR) as uow:
                placed = await place_order(uow, payments, request, OrderPolicy())
        except DomainError:
            continue  # that basket ran into a stock-out: skip it, as a shopper would
        assert placed.order.id is not None
        if number % 9 == 4:
            async with database.unit_of_work(SYSTEM_ACTOR) as uow:
                await cancel_order(
                    uow, payments, order_id=placed.order.id, reason="customer changed their mind"
                )
