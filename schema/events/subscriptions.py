"""Subscriptions over graphql-transport-ws: live views of orders, shipments and stock, and the
order event firehose, all read from the event log (``api.events.feed``).

Each takes an optional ``after`` cursor: the events after it first, then live ones. A client
that lost its connection passes the cursor of the last event it received and misses nothing.
The server closes a connection with 1013 when a subscriber falls too far behind and with 1012
when it shuts down; in both cases the client reconnects and resumes with its cursor.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Callable

import strawberry

from api.auth import Permission
from api.catalog.queries import skus_by_code
from api.errors import InvalidInput
from api.events.feed import EventFeed, FeedClosed, SubscriberTooSlow
from api.events.log import LogPosition, decode_position
from api.events.models import Event, EventType
from api.events.topics import levels_of, order_id_of, shipment_id_of
from api.inventory.queries import level_at
from api.orders import queries as order_queries
from schema.context import Info
from schema.errors import ClientError, Forbidden
from schema.events.types import EventNode
from schema.execution import shared_payload
from schema.fulfilment.types import ShipmentType
from schema.inventory.types import InventoryLevelType
from schema.loaders import Loaders
from schema.orders.types import OrderType
from schema.relay import query_id

SLOW_CONSUMER = 1013
"""Try Again Later: the subscriber's queue overflowed; resume from the last cursor."""
SERVICE_RESTART = 1012
"""The server is going away (uvicorn sends the same on shutdown); resume elsewhere."""


@strawberry.type(description="A change to an order, with the order as it is now.")
class OrderUpdate:
    order: OrderType
    event: EventNode


_event_nodes: dict[int, EventNode] = {}


def _event_node(event: Event) -> EventNode:
    """The event as a GraphQL object, made once for all the subscribers it reaches (the feed
    hands each of them the same row)."""
    assert event.id is not None
    node = _event_nodes.get(event.id)
    if node is None:
        if len(_event_nodes) >= 10_000:
            _event_nodes.clear()
        node = _event_nodes[event.id] = shared_payload(EventNode.from_row(event))
    return node


def _feed(info: Info) -> EventFeed:
    if info.context.feed is None:
        raise ClientError("Subscriptions are served over WebSocket only")
    return info.context.feed


def _position(info: Info, after: str | None) -> LogPosition | None:
    if after is None:
        return None
    try:
        return decode_position(after, info.context.settings.secret_key)
    except InvalidInput as error:
        raise ClientError(error.message) from error


def _require(info: Info, permission: Permission) -> None:
    if not info.context.principal.can(permission):
        raise Forbidden(f"This subscription needs the {permission.value} permission")


async def _order_by_token(info: Info, token: str) -> int:
    async with info.context.database.session() as session:
        order = await order_queries.order_by_tracking_token(
            session, token, info.context.settings.secret_key
        )
    if order is None or order.id is None:
        raise Forbidden("Unknown tracking token")
    return order.id


def _count_customer_subscription(info: Info) -> None:
    context = info.context
    if context.customer_subscriptions >= context.settings.customer_subscriptions_per_connection:
        raise Forbidden(
            "A connection may follow at most "
            f"{context.settings.customer_subscriptions_per_connection} orders by tracking token"
        )
    context.customer_subscriptions += 1


async def _events(
    info: Info,
    wants: Callable[[Event], bool],
    after: str | None,
    types: list[str] | None = None,
    order_id: int | None = None,
) -> AsyncIterator[Event]:
    """The feed's events for this subscription (of one order's, replayed by that order's
    index); a fresh set of loaders for each, so what the subscriber selects is read as it is
    after that event."""
    position = _position(info, after)
    try:
        async for event in _feed(info).follow(wants, position, types, order_id):
            info.context.loaders = Loaders(info.context.reads)
            yield event
    except SubscriberTooSlow:
        await _hang_up(info, SLOW_CONSUMER, "Too slow: reconnect and resume from your last cursor")
    except FeedClosed:
        await _hang_up(info, SERVICE_RESTART, "Shutting down: resume from your last cursor")


async def _hang_up(info: Info, code: int, reason: str) -> None:
    """Closes the WebSocket; the protocol handler then sees the disconnect and cancels this
    connection's operations, this one included."""
    await info.context.request.close(code=code, reason=reason)
    await asyncio.Event().wait()


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Changes to one order: status, fulfilment, shipment tracking, returns and "
        "refunds. Staff and `orders:read` keys follow any order by id; a customer follows "
        "their own with its tracking token (no other credentials needed)."
    )
    async def order_updated(
        self,
        info: Info,
        id: strawberry.ID | None = None,
        tracking_token: str | None = None,
        after: str | None = None,
    ) -> AsyncGenerator[OrderUpdate, None]:
        if tracking_token is not None:
            order_id = await _order_by_token(info, tracking_token)
            if id is not None and query_id(id, "Order", "id") != order_id:
                raise Forbidden("A tracking token follows its own order only")
            _count_customer_subscription(info)
        elif id is not None:
            _require(info, Permission.ORDERS_READ)
            order_id = query_id(id, "Order", "id")
        else:
            raise ClientError("Give the order's id or its tracking token")
        async for event in _events(
            info, lambda event: order_id_of(event) == order_id, after, order_id=order_id
        ):
            order = await info.context.loaders.order_by_id.load(order_id)
            if order is not None:
                yield OrderUpdate(order=order, event=_event_node(event))

    @strawberry.subscription(
        description="Changes to shipments: one by id (staff, `orders:read` keys), or every "
        "shipment of the order a tracking token belongs to (with id: that one, if it is "
        "the order's)."
    )
    async def shipment_updated(
        self,
        info: Info,
        id: strawberry.ID | None = None,
        tracking_token: str | None = None,
        after: str | None = None,
    ) -> AsyncGenerator[ShipmentType, None]:
        shipment_id = query_id(id, "Shipment", "id") if id is not None else None
        order_id: int | None
        if tracking_token is not None:
            order_id = await _order_by_token(info, tracking_token)
            if shipment_id is not None:
                shipment = await info.context.loaders.shipment_by_id.load(shipment_id)
                if shipment is None or shipment.order_pk != order_id:
                    raise Forbidden("A tracking token follows its own order's shipments only")
            _count_customer_subscription(info)

            def wants(event: Event) -> bool:
                found = shipment_id_of(event)
                return (
                    found is not None
                    and order_id_of(event) == order_id
                    and (shipment_id is None or found == shipment_id)
                )
        elif shipment_id is not None:
            _require(info, Permission.ORDERS_READ)
            shipment = await info.context.loaders.shipment_by_id.load(shipment_id)
            order_id = shipment.order_pk if shipment is not None else None

            def wants(event: Event) -> bool:
                return shipment_id_of(event) == shipment_id
        else:
            raise ClientError("Give the shipment's id or a tracking token")
        async for event in _events(info, wants, after, order_id=order_id):
            changed = shipment_id_of(event)
            shipment = await info.context.loaders.shipment_by_id.load(changed) if changed else None
            if shipment is not None:
                yield shipment

    @strawberry.subscription(
        description="Inventory levels as they change, at one location and/or for one SKU (by "
        "code), or everywhere. Staff and `inventory:read` keys."
    )
    async def inventory_changed(
        self,
        info: Info,
        location_id: strawberry.ID | None = None,
        sku: str | None = None,
        after: str | None = None,
    ) -> AsyncGenerator[InventoryLevelType, None]:
        _require(info, Permission.INVENTORY_READ)
        location = query_id(location_id, "Location", "locationId") if location_id else None
        sku_id: int | None = None
        if sku is not None:
            async with info.context.reads.reader() as reader:
                (found,) = await skus_by_code(reader, [sku])
            if found is None:
                raise ClientError(f"Unknown SKU {sku}")
            sku_id = found.id

        def matching(event: Event) -> list[tuple[int, int]]:
            return [
                (at, item)
                for at, item in levels_of(event)
                if (location is None or at == location) and (sku_id is None or item == sku_id)
            ]

        async for event in _events(info, lambda event: bool(matching(event)), after):
            for at, item in matching(event):
                async with info.context.reads.reader() as reader:
                    level = await level_at(reader, at, item)
                if level is not None:
                    yield InventoryLevelType.from_row(level)

    @strawberry.subscription(
        description="Every event about orders (and their shipments), oldest first, resumable "
        "with `after`: the firehose for staff and `orders:read` keys."
    )
    async def order_events(
        self, info: Info, after: str | None = None, types: list[EventType] | None = None
    ) -> AsyncGenerator[EventNode, None]:
        _require(info, Permission.ORDERS_READ)
        wanted = {event_type.value for event_type in types or []}

        def wants(event: Event) -> bool:
            return order_id_of(event) is not None and (not wanted or event.type in wanted)

        async for event in _events(info, wants, after, sorted(wanted) or None):
            yield _event_node(event)
