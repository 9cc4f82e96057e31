"""``node`` and ``nodes``: any object by its global ID, if the caller may read its kind."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import strawberry

from api.auth import Permission
from schema import fields
from schema.catalog.types import ProductType, SkuType
from schema.channels.types import ChannelType
from schema.context import Info
from schema.customers.types import CustomerType
from schema.errors import ClientError
from schema.inventory.types import InventoryLevelType, TransferType
from schema.locations.types import BinType, LocationType
from schema.permissions import require
from schema.relay import Node, parse_global_id
from schema.users.types import ApiKeyType, UserType

MAX_NODES = 250

# type name -> (permission to read it, loader, GraphQL type factory)
NODE_TYPES: dict[str, tuple[Permission, str, Callable[[Any], Node]]] = {
    "Channel": (Permission.CATALOG_READ, "channel_by_id", ChannelType.from_row),
    "Location": (Permission.CATALOG_READ, "location_by_id", LocationType.from_row),
    "Bin": (Permission.CATALOG_READ, "bin_by_id", BinType.from_row),
    "Product": (Permission.CATALOG_READ, "product_by_id", ProductType.from_row),
    "Sku": (Permission.CATALOG_READ, "sku_by_id", SkuType.from_row),
    "InventoryLevel": (
        Permission.INVENTORY_READ,
        "inventory_level_by_id",
        InventoryLevelType.from_row,
    ),
    "Transfer": (Permission.INVENTORY_READ, "transfer_by_id", TransferType.from_row),
    "Customer": (Permission.CUSTOMERS_READ, "customer_by_id", CustomerType.from_row),
    "User": (Permission.USERS_MANAGE, "user_by_id", UserType.from_row),
    "ApiKey": (Permission.API_KEYS_MANAGE, "api_key_by_id", ApiKeyType.from_row),
}


async def _resolve(info: Info, global_id: str) -> Node | None:
    parsed = parse_global_id(global_id)
    if parsed is None:
        raise ClientError(f"{global_id!r} is not a valid ID")
    type_name, pk = parsed
    entry = NODE_TYPES.get(type_name)
    if entry is None:
        return None
    permission, loader_name, to_type = entry
    require(info, permission)
    row = await getattr(info.context.loaders, loader_name).load(pk)
    return to_type(row) if row is not None else None


@strawberry.type
class NodeQueries:
    @fields.query(None, description="Any object by its ID; null when it does not exist.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await _resolve(info, id)

    @fields.query(None, description=f"Objects by their IDs, in order; at most {MAX_NODES}.")
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
        if len(ids) > MAX_NODES:
            raise ClientError(f"at most {MAX_NODES} ids at once")
        return list(await asyncio.gather(*(_resolve(info, global_id) for global_id in ids)))
