"""``node`` and ``nodes``: any object by its global ID, if the caller may read its kind."""

from __future__ import annotations

import asyncio

import strawberry

from api.auth import Permission
from schema import fields
from schema.context import Info
from schema.errors import ClientError
from schema.permissions import require
from schema.relay import Node, parse_global_id
from schema.webhooks.resolvers import visible_to_caller
from schema.webhooks.types import WebhookDeliveryType, WebhookType

MAX_NODES = 250

# type name -> (permission to read it, the loader that finds it by primary key)
NODE_TYPES: dict[str, tuple[Permission, str]] = {
    "Channel": (Permission.CATALOG_READ, "channel_by_id"),
    "Location": (Permission.CATALOG_READ, "location_by_id"),
    "Bin": (Permission.CATALOG_READ, "bin_by_id"),
    "Product": (Permission.CATALOG_READ, "product_by_id"),
    "Sku": (Permission.CATALOG_READ, "sku_by_id"),
    "InventoryLevel": (Permission.INVENTORY_READ, "inventory_level_by_id"),
    "Transfer": (Permission.INVENTORY_READ, "transfer_by_id"),
    "Supplier": (Permission.INVENTORY_READ, "supplier_by_id"),
    "PurchaseOrder": (Permission.INVENTORY_READ, "purchase_order_by_id"),
    "Customer": (Permission.CUSTOMERS_READ, "customer_by_id"),
    "User": (Permission.USERS_MANAGE, "user_by_id"),
    "ApiKey": (Permission.API_KEYS_MANAGE, "api_key_by_id"),
    "Order": (Permission.ORDERS_READ, "order_by_id"),
    "Shipment": (Permission.ORDERS_READ, "shipment_by_id"),
    "PickList": (Permission.ORDERS_READ, "pick_list_by_id"),
    "PickTask": (Permission.ORDERS_READ, "pick_task_by_id"),
    "Return": (Permission.ORDERS_READ, "return_by_id"),
    "CustomerMessage": (Permission.ORDERS_READ, "message_by_id"),
    "Webhook": (Permission.WEBHOOKS_MANAGE, "webhook_by_id"),
    "WebhookDelivery": (Permission.WEBHOOKS_MANAGE, "webhook_delivery_by_id"),
}


async def _resolve(info: Info, global_id: str) -> Node | None:
    parsed = parse_global_id(global_id)
    if parsed is None:
        raise ClientError(f"{global_id!r} is not a valid ID")
    type_name, pk = parsed
    entry = NODE_TYPES.get(type_name)
    if entry is None:
        return None
    permission, loader_name = entry
    require(info, permission)
    node: Node | None = await getattr(info.context.loaders, loader_name).load(pk)
    if isinstance(node, (WebhookType, WebhookDeliveryType)) and not await visible_to_caller(
        info, node
    ):
        return None  # another owner's: as if it did not exist
    return node


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
