"""DataLoaders, built fresh per request. Each batch reads through the request's reads (see
``api.reads.RequestReads``) and returns GraphQL objects, so a row read once in a request is
converted once, however often it is reached."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from api.catalog import queries as catalog
from api.channels import queries as channels
from api.customers import queries as customers
from api.fulfilment import queries as fulfilment
from api.inventory import queries as inventory
from api.locations import queries as locations
from api.orders import queries as orders
from api.reads import Reader, RequestReads
from api.returns import queries as returns
from api.users import queries as users
from schema.catalog.types import ProductType, SkuType
from schema.channels.types import ChannelType
from schema.customers.types import CustomerAddressType, CustomerType
from schema.events.types import EventNode
from schema.fulfilment.types import (
    PackageType,
    PickListType,
    PickTaskType,
    ShipmentLine,
    ShipmentType,
    TrackingEventType,
)
from schema.inventory.types import InventoryLevelType, TransferType
from schema.locations.types import BinType, LocationType
from schema.orders.types import (
    AllocationType,
    OrderLineType,
    OrderType,
    PaymentView,
    RoutingDecision,
)
from schema.returns.types import FeedbackType, RefundType, ReturnLineType, ReturnType
from schema.users.types import ApiKeyType, UserType

K = TypeVar("K")
V = TypeVar("V")
Row = TypeVar("Row")


def _by_key(
    reads: RequestReads,
    batch: Callable[[Reader, Sequence[K]], Awaitable[list[Row | None]]],
    convert: Callable[[Row], V],
) -> DataLoader[K, V | None]:
    async def load(keys: list[K]) -> list[V | None]:
        async with reads.reader() as reader:
            rows = await batch(reader, keys)
        return [convert(row) if row is not None else None for row in rows]

    return DataLoader(load_fn=load)


def _groups(
    reads: RequestReads,
    batch: Callable[[Reader, Sequence[K]], Awaitable[list[list[Row]]]],
    convert: Callable[[Row], V],
) -> DataLoader[K, list[V]]:
    async def load(keys: list[K]) -> list[list[V]]:
        async with reads.reader() as reader:
            groups = await batch(reader, keys)
        return [[convert(row) for row in group] for group in groups]

    return DataLoader(load_fn=load)


@dataclass(frozen=True)
class Loaders:
    channel_by_id: DataLoader[int, ChannelType | None]
    location_by_id: DataLoader[int, LocationType | None]
    bin_by_id: DataLoader[int, BinType | None]
    bins_by_location_id: DataLoader[int, list[BinType]]
    product_by_id: DataLoader[int, ProductType | None]
    sku_by_id: DataLoader[int, SkuType | None]
    skus_by_product_id: DataLoader[int, list[SkuType]]
    inventory_level_by_id: DataLoader[int, InventoryLevelType | None]
    transfer_by_id: DataLoader[int, TransferType | None]
    customer_by_id: DataLoader[int, CustomerType | None]
    addresses_by_customer_id: DataLoader[int, list[CustomerAddressType]]
    user_by_id: DataLoader[int, UserType | None]
    api_key_by_id: DataLoader[int, ApiKeyType | None]
    order_by_id: DataLoader[int, OrderType | None]
    lines_by_order_id: DataLoader[int, list[OrderLineType]]
    allocations_by_order_id: DataLoader[int, list[AllocationType]]
    payment_by_order_id: DataLoader[int, PaymentView | None]
    routing_decision_by_order_id: DataLoader[int, RoutingDecision | None]
    events_by_order_id: DataLoader[int, list[EventNode]]
    recent_orders_by_customer_id: DataLoader[int, list[OrderType]]
    shipment_by_id: DataLoader[int, ShipmentType | None]
    shipments_by_order_id: DataLoader[int, list[ShipmentType]]
    shipments_by_pick_list_id: DataLoader[int, list[ShipmentType]]
    shipment_lines_by_shipment_id: DataLoader[int, list[ShipmentLine]]
    packages_by_shipment_id: DataLoader[int, list[PackageType]]
    tracking_events_by_shipment_id: DataLoader[int, list[TrackingEventType]]
    pick_list_by_id: DataLoader[int, PickListType | None]
    pick_task_by_id: DataLoader[int, PickTaskType | None]
    tasks_by_pick_list_id: DataLoader[int, list[PickTaskType]]
    return_by_id: DataLoader[int, ReturnType | None]
    returns_by_order_id: DataLoader[int, list[ReturnType]]
    lines_by_return_id: DataLoader[int, list[ReturnLineType]]
    refunds_by_order_id: DataLoader[int, list[RefundType]]
    refunds_by_return_id: DataLoader[int, list[RefundType]]
    feedback_by_order_id: DataLoader[int, FeedbackType | None]
    exchange_orders_by_return_id: DataLoader[int, list[OrderType]]

    @classmethod
    def create(cls, reads: RequestReads) -> Loaders:
        loaders: dict[str, Any] = {
            "channel_by_id": _by_key(reads, channels.channels_by_id, ChannelType.from_row),
            "location_by_id": _by_key(reads, locations.locations_by_id, LocationType.from_row),
            "bin_by_id": _by_key(reads, locations.bins_by_id, BinType.from_row),
            "bins_by_location_id": _groups(reads, locations.bins_by_location_id, BinType.from_row),
            "product_by_id": _by_key(reads, catalog.products_by_id, ProductType.from_row),
            "sku_by_id": _by_key(reads, catalog.skus_by_id, SkuType.from_row),
            "skus_by_product_id": _groups(reads, catalog.skus_by_product_id, SkuType.from_row),
            "inventory_level_by_id": _by_key(
                reads, inventory.inventory_levels_by_id, InventoryLevelType.from_row
            ),
            "transfer_by_id": _by_key(reads, inventory.transfers_by_id, TransferType.from_row),
            "customer_by_id": _by_key(reads, customers.customers_by_id, CustomerType.from_row),
            "addresses_by_customer_id": _groups(
                reads, customers.addresses_by_customer_id, CustomerAddressType.from_row
            ),
            "user_by_id": _by_key(reads, users.users_by_id, UserType.from_row),
            "api_key_by_id": _by_key(reads, users.api_keys_by_id, ApiKeyType.from_row),
            "order_by_id": _by_key(reads, orders.orders_by_id, OrderType.from_row),
            "lines_by_order_id": _groups(
                reads, orders.lines_by_order_id, lambda pair: OrderLineType.from_row(*pair)
            ),
            "allocations_by_order_id": _groups(
                reads, orders.allocations_by_order_id, AllocationType.from_row
            ),
            "payment_by_order_id": _by_key(
                reads, orders.payments_by_order_id, PaymentView.from_row
            ),
            "routing_decision_by_order_id": _by_key(
                reads, orders.routing_decisions_by_order_id, RoutingDecision.from_record
            ),
            "events_by_order_id": _groups(reads, orders.events_by_order_id, EventNode.from_row),
            "recent_orders_by_customer_id": _groups(
                reads, orders.recent_orders_by_customer_id, OrderType.from_row
            ),
            "shipment_by_id": _by_key(reads, fulfilment.shipments_by_id, ShipmentType.from_row),
            "shipments_by_order_id": _groups(
                reads, fulfilment.shipments_by_order_id, ShipmentType.from_row
            ),
            "shipments_by_pick_list_id": _groups(
                reads, fulfilment.shipments_by_pick_list_id, ShipmentType.from_row
            ),
            "shipment_lines_by_shipment_id": _groups(
                reads, fulfilment.allocations_by_shipment_id, ShipmentLine.from_row
            ),
            "packages_by_shipment_id": _groups(
                reads, fulfilment.packages_by_shipment_id, PackageType.from_row
            ),
            "tracking_events_by_shipment_id": _groups(
                reads, fulfilment.tracking_events_by_shipment_id, TrackingEventType.from_row
            ),
            "pick_list_by_id": _by_key(reads, fulfilment.pick_lists_by_id, PickListType.from_row),
            "pick_task_by_id": _by_key(reads, fulfilment.pick_tasks_by_id, PickTaskType.from_row),
            "tasks_by_pick_list_id": _groups(
                reads, fulfilment.tasks_by_pick_list_id, PickTaskType.from_row
            ),
            "return_by_id": _by_key(reads, returns.returns_by_id, ReturnType.from_row),
            "returns_by_order_id": _groups(reads, returns.returns_by_order_id, ReturnType.from_row),
            "lines_by_return_id": _groups(
                reads, returns.lines_by_return_id, ReturnLineType.from_row
            ),
            "refunds_by_order_id": _groups(
                reads, returns.refunds_by_order_id, lambda pair: RefundType.from_row(*pair)
            ),
            "refunds_by_return_id": _groups(
                reads, returns.refunds_by_return_id, lambda pair: RefundType.from_row(*pair)
            ),
            "exchange_orders_by_return_id": _groups(
                reads, returns.exchange_orders_by_return_id, OrderType.from_row
            ),
            "feedback_by_order_id": _by_key(
                reads, returns.feedback_by_order_id, FeedbackType.from_row
            ),
        }
        return cls(**loaders)
