"""DataLoaders, built fresh per request; each batch runs in its own short-lived session."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from api.catalog import queries as catalog
from api.catalog.models import Product, Sku
from api.channels import queries as channels
from api.channels.models import Channel
from api.customers import queries as customers
from api.customers.models import Customer, CustomerAddress
from api.db import Database
from api.inventory import queries as inventory
from api.inventory.models import InventoryLevel, Transfer
from api.locations import queries as locations
from api.locations.models import Bin, Location
from api.users import queries as users
from api.users.models import ApiKey, User

K = TypeVar("K")
V = TypeVar("V")


def _loader(
    database: Database, batch: Callable[[AsyncSession, Sequence[K]], Awaitable[list[V]]]
) -> DataLoader[K, V]:
    async def load(keys: list[K]) -> list[V]:
        async with database.session() as session:
            return await batch(session, keys)

    return DataLoader(load_fn=load)


@dataclass(frozen=True)
class Loaders:
    channel_by_id: DataLoader[int, Channel | None]
    location_by_id: DataLoader[int, Location | None]
    bin_by_id: DataLoader[int, Bin | None]
    product_by_id: DataLoader[int, Product | None]
    sku_by_id: DataLoader[int, Sku | None]
    skus_by_product_id: DataLoader[int, list[Sku]]
    inventory_level_by_id: DataLoader[int, InventoryLevel | None]
    transfer_by_id: DataLoader[int, Transfer | None]
    customer_by_id: DataLoader[int, Customer | None]
    addresses_by_customer_id: DataLoader[int, list[CustomerAddress]]
    user_by_id: DataLoader[int, User | None]
    api_key_by_id: DataLoader[int, ApiKey | None]

    @classmethod
    def create(cls, database: Database) -> Loaders:
        batches: dict[str, Any] = {
            "channel_by_id": channels.channels_by_id,
            "location_by_id": locations.locations_by_id,
            "bin_by_id": locations.bins_by_id,
            "product_by_id": catalog.products_by_id,
            "sku_by_id": catalog.skus_by_id,
            "skus_by_product_id": catalog.skus_by_product_id,
            "inventory_level_by_id": inventory.inventory_levels_by_id,
            "transfer_by_id": inventory.transfers_by_id,
            "customer_by_id": customers.customers_by_id,
            "addresses_by_customer_id": customers.addresses_by_customer_id,
            "user_by_id": users.users_by_id,
            "api_key_by_id": users.api_keys_by_id,
        }
        return cls(**{name: _loader(database, batch) for name, batch in batches.items()})
