"""DataLoaders, built fresh per request. Each batch reads through the request's reads (see
``api.reads.RequestReads``) and returns GraphQL objects, so a row read once in a request is
converted once, however often it is reached."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar, overload

from strawberry.dataloader import DataLoader

from api.catalog import queries as catalog
from api.channels import queries as channels
from api.customers import queries as customers
from api.fulfilment import queries as fulfilment
from api.inventory import queries as inventory
from api.locations import queries as locations
from api.notifications import queries as notifications
from api.orders import queries as orders
from api.purchasing import queries as purchasing
from api.reads import Reader, RequestReads
from api.returns import queries as returns
from api.users import queries as users
from api.webhooks import queries as webhooks
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
from schema.notifications.types import CustomerMessageType, MessageAttemptType
from schema.orders.types import (
    AllocationType,
    OrderLineType,
    OrderType,
    PaymentView,
    RoutingDecision,
)
from schema.purchasing.types import (
    PurchaseOrderLineType,
    PurchaseOrderType,
    SupplierSkuType,
    SupplierType,
)
from schema.returns.types import FeedbackType, RefundType, ReturnLineType, ReturnType
from schema.users.types import ApiKeyType, UserType
from schema.webhooks.types import WebhookAttemptType, WebhookDeliveryType, WebhookType

K = TypeVar("K")
V = TypeVar("V")
Row = TypeVar("Row")
T = TypeVar("T")


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


class Lazy(Generic[T]):
    """A ``Loaders`` attribute: the request's DataLoader, made on first use. A request (or a
    subscription event) uses a handful of the loaders; making all of them up front cost more
    than most subscription events do."""

    def __init__(self, make: Callable[[RequestReads], T]) -> None:
        self._make = make
        self._name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, instance: None, owner: type) -> Lazy[T]: ...
    @overload
    def __get__(self, instance: Loaders, owner: type) -> T: ...
    def __get__(self, instance: Loaders | None, owner: type) -> Lazy[T] | T:
        if instance is None:
            return self
        made = self._make(instance.reads)
        instance.__dict__[self._name] = made  # later reads find it without this descriptor
        return made


def by_key(
    batch: Callable[[Reader, Sequence[K]], Awaitable[list[Row | None]]],
    convert: Callable[[Row], V],
) -> Lazy[DataLoader[K, V | None]]:
    return Lazy(lambda reads: _by_key(reads, batch, convert))


def groups(
    batch: Callable[[Reader, Sequence[K]], Awaitable[list[list[Row]]]],
    convert: Callable[[Row], V],
) -> Lazy[DataLoader[K, list[V]]]:
    return Lazy(lambda reads: _groups(reads, batch, convert))


class Loaders:
    """The request's DataLoaders, one per batch function, each made when first used."""

    def __init__(self, reads: RequestReads) -> None:
        self.reads = reads

    channel_by_id: Lazy[DataLoader[int, ChannelType | None]] = by_key(
        channels.channels_by_id, ChannelType.from_row
    )
    location_by_id: Lazy[DataLoader[int, LocationType | None]] = by_key(
        locations.locations_by_id, LocationType.from_row
    )
    bin_by_id: Lazy[DataLoader[int, BinType | None]] = by_key(
        locations.bins_by_id, BinType.from_row
    )
    bins_by_location_id: Lazy[DataLoader[int, list[BinType]]] = groups(
        locations.bins_by_location_id, BinType.from_row
    )
    product_by_id: Lazy[DataLoader[int, ProductType | None]] = by_key(
        catalog.products_by_id, ProductType.from_row
    )
    sku_by_id: Lazy[DataLoader[int, SkuType | None]] = by_key(catalog.skus_by_id, SkuType.from_row)
    skus_by_product_id: Lazy[DataLoader[int, list[SkuType]]] = groups(
        catalog.skus_by_product_id, SkuType.from_row
    )
    inventory_level_by_id: Lazy[DataLoader[int, InventoryLevelType | None]] = by_key(
        inventory.inventory_levels_by_id, InventoryLevelType.from_row
    )
    transfer_by_id: Lazy[DataLoader[int, TransferType | None]] = by_key(
        inventory.transfers_by_id, TransferType.from_row
    )
    supplier_by_id: Lazy[DataLoader[int, SupplierType | None]] = by_key(
        purchasing.suppliers_by_id, SupplierType.from_row
    )
    skus_by_supplier_id: Lazy[DataLoader[int, list[SupplierSkuType]]] = groups(
        purchasing.skus_by_supplier_id, SupplierSkuType.from_row
    )
    purchase_order_by_id: Lazy[DataLoader[int, PurchaseOrderType | None]] = by_key(
        purchasing.purchase_orders_by_id, PurchaseOrderType.from_row
    )
    lines_by_purchase_order_id: Lazy[DataLoader[int, list[PurchaseOrderLineType]]] = groups(
        purchasing.lines_by_purchase_order_id, PurchaseOrderLineType.from_row
    )
    customer_by_id: Lazy[DataLoader[int, CustomerType | None]] = by_key(
        customers.customers_by_id, CustomerType.from_row
    )
    addresses_by_customer_id: Lazy[DataLoader[int, list[CustomerAddressType]]] = groups(
        customers.addresses_by_customer_id, CustomerAddressType.from_row
    )
    user_by_id: Lazy[DataLoader[int, UserType | None]] = by_key(
        users.users_by_id, UserType.from_row
    )
    api_key_by_id: Lazy[DataLoader[int, ApiKeyType | None]] = by_key(
        users.api_keys_by_id, ApiKeyType.from_row
    )
    order_by_id: Lazy[DataLoader[int, OrderType | None]] = by_key(
        orders.orders_by_id, OrderType.from_row
    )
    lines_by_order_id: Lazy[DataLoader[int, list[OrderLineType]]] = groups(
        orders.lines_by_order_id, lambda pair: OrderLineType.from_row(*pair)
    )
    allocations_by_order_id: Lazy[DataLoader[int, list[AllocationType]]] = groups(
        orders.allocations_by_order_id, AllocationType.from_row
    )
    payment_by_order_id: Lazy[DataLoader[int, PaymentView | None]] = by_key(
        orders.payments_by_order_id, PaymentView.from_row
    )
    routing_decision_by_order_id: Lazy[DataLoader[int, RoutingDecision | None]] = by_key(
        orders.routing_decisions_by_order_id, RoutingDecision.from_record
    )
    events_by_order_id: Lazy[DataLoader[int, list[EventNode]]] = groups(
        orders.events_by_order_id, EventNode.from_row
    )
    recent_orders_by_customer_id: Lazy[DataLoader[int, list[OrderType]]] = groups(
        orders.recent_orders_by_customer_id, OrderType.from_row
    )
    shipment_by_id: Lazy[DataLoader[int, ShipmentType | None]] = by_key(
        fulfilment.shipments_by_id, ShipmentType.from_row
    )
    shipments_by_order_id: Lazy[DataLoader[int, list[ShipmentType]]] = groups(
        fulfilment.shipments_by_order_id, ShipmentType.from_row
    )
    shipments_by_pick_list_id: Lazy[DataLoader[int, list[ShipmentType]]] = groups(
        fulfilment.shipments_by_pick_list_id, ShipmentType.from_row
    )
    shipment_lines_by_shipment_id: Lazy[DataLoader[int, list[ShipmentLine]]] = groups(
        fulfilment.allocations_by_shipment_id, ShipmentLine.from_row
    )
    packages_by_shipment_id: Lazy[DataLoader[int, list[PackageType]]] = groups(
        fulfilment.packages_by_shipment_id, PackageType.from_row
    )
    tracking_events_by_shipment_id: Lazy[DataLoader[int, list[TrackingEventType]]] = groups(
        fulfilment.tracking_events_by_shipment_id, TrackingEventType.from_row
    )
    pick_list_by_id: Lazy[DataLoader[int, PickListType | None]] = by_key(
        fulfilment.pick_lists_by_id, PickListType.from_row
    )
    pick_task_by_id: Lazy[DataLoader[int, PickTaskType | None]] = by_key(
        fulfilment.pick_tasks_by_id, PickTaskType.from_row
    )
    tasks_by_pick_list_id: Lazy[DataLoader[int, list[PickTaskType]]] = groups(
        fulfilment.tasks_by_pick_list_id, PickTaskType.from_row
    )
    return_by_id: Lazy[DataLoader[int, ReturnType | None]] = by_key(
        returns.returns_by_id, ReturnType.from_row
    )
    returns_by_order_id: Lazy[DataLoader[int, list[ReturnType]]] = groups(
        returns.returns_by_order_id, ReturnType.from_row
    )
    lines_by_return_id: Lazy[DataLoader[int, list[ReturnLineType]]] = groups(
        returns.lines_by_return_id, ReturnLineType.from_row
    )
    refunds_by_order_id: Lazy[DataLoader[int, list[RefundType]]] = groups(
        returns.refunds_by_order_id, lambda pair: RefundType.from_row(*pair)
    )
    refunds_by_return_id: Lazy[DataLoader[int, list[RefundType]]] = groups(
        returns.refunds_by_return_id, lambda pair: RefundType.from_row(*pair)
    )
    exchange_orders_by_return_id: Lazy[DataLoader[int, list[OrderType]]] = groups(
        returns.exchange_orders_by_return_id, OrderType.from_row
    )
    feedback_by_order_id: Lazy[DataLoader[int, FeedbackType | None]] = by_key(
        returns.feedback_by_order_id, FeedbackType.from_row
    )
    attempts_by_delivery_id: Lazy[DataLoader[int, list[WebhookAttemptType]]] = groups(
        webhooks.attempts_by_delivery_id, WebhookAttemptType.from_row
    )
    recent_deliveries_by_webhook_id: Lazy[DataLoader[int, list[WebhookDeliveryType]]] = groups(
        webhooks.recent_deliveries_by_webhook_id, WebhookDeliveryType.from_row
    )
    webhook_by_id: Lazy[DataLoader[int, WebhookType | None]] = by_key(
        webhooks.webhooks_by_id, WebhookType.from_row
    )
    delivered_event_by_id: Lazy[DataLoader[int, EventNode | None]] = by_key(
        webhooks.delivered_events_by_id, EventNode.from_row
    )
    webhook_delivery_by_id: Lazy[DataLoader[int, WebhookDeliveryType | None]] = by_key(
        webhooks.deliveries_by_id, WebhookDeliveryType.from_row
    )
    message_by_id: Lazy[DataLoader[int, CustomerMessageType | None]] = by_key(
        notifications.messages_by_id, CustomerMessageType.from_row
    )
    messages_by_order_id: Lazy[DataLoader[int, list[CustomerMessageType]]] = groups(
        notifications.messages_by_order_id, CustomerMessageType.from_row
    )
    attempts_by_message_id: Lazy[DataLoader[int, list[MessageAttemptType]]] = groups(
        notifications.attempts_by_message_id, MessageAttemptType.from_row
    )
