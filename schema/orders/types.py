from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.extensions import FieldExtension

from api.auth import Permission
from api.orders.models import Allocation, Order, OrderLine, order_number
from api.orders.rules import ORDER
from api.orders.statuses import AllocationStatus, FulfilmentStatus, OrderStatus
from api.payments.models import Payment
from api.payments.statuses import PaymentStatus
from api.returns.rules import OrderReturnStatus, order_return_status
from api.shipping.speeds import ShippingSpeed
from schema.catalog.types import SkuType
from schema.channels.types import ChannelType
from schema.context import Info
from schema.customers.types import CustomerType
from schema.enums import deprecate_retired
from schema.events.types import EventNode
from schema.locations.types import LocationType
from schema.permissions import allow
from schema.relations import RELATION, Relation, now_or_later, related
from schema.relay import Node, encode_global_id
from schema.scalars import Money

if TYPE_CHECKING:
    from schema.fulfilment.types import ShipmentType
    from schema.notifications.types import CustomerMessageType
    from schema.returns.types import FeedbackType, RefundType, ReturnType

# The published name keeps the spelling partners have always read.
strawberry.enum(FulfilmentStatus, name="FulfillmentStatus")
for enum in (
    OrderStatus,
    PaymentStatus,
    ShippingSpeed,
    AllocationStatus,
    OrderReturnStatus,
):
    strawberry.enum(enum)
deprecate_retired(ORDER)

STAFF_ONLY: list[FieldExtension] = [allow(Permission.ORDERS_READ)]


@strawberry.type
class ShippingAddressView:
    name: str
    line1: str
    line2: str | None
    city: str
    region: str | None
    postal_code: str
    country: str
    latitude: float | None
    longitude: float | None


@strawberry.type
class OrderTotals:
    subtotal: Money
    shipping: Money
    tax: Money
    total: Money

    @classmethod
    def of(cls, subtotal: int, shipping: int, tax: int, total: int, currency: str) -> OrderTotals:
        return cls(
            subtotal=Money(amount=subtotal, currency=currency),
            shipping=Money(amount=shipping, currency=currency),
            tax=Money(amount=tax, currency=currency),
            total=Money(amount=total, currency=currency),
        )


@strawberry.type(name="Allocation", description="Units of an order line held at a location.")
class AllocationType:
    pk: strawberry.Private[int]
    line_pk: strawberry.Private[int]
    location_id: strawberry.Private[int]
    quantity: int
    status: AllocationStatus
    reason: str
    created_at: datetime

    location = related("location_by_id", "location_id", LocationType)

    @classmethod
    def from_row(cls, row: Allocation) -> AllocationType:
        assert row.id is not None
        return cls(
            pk=row.id,
            line_pk=row.order_line_id,
            location_id=row.location_id,
            quantity=row.quantity,
            status=AllocationStatus(row.status),
            reason=row.reason,
            created_at=row.created_at,
        )


@strawberry.type(name="OrderLine")
class OrderLineType(Node):
    pk: strawberry.Private[int]
    order_pk: strawberry.Private[int]
    sku_id: strawberry.Private[int]
    quantity: int
    unit_price: Money
    quantity_allocated: int
    quantity_backordered: int
    quantity_fulfilled: int
    quantity_cancelled: int
    quantity_returned: int
    backorder_promised_at: datetime | None

    sku = related("sku_by_id", "sku_id", SkuType)

    @strawberry.field(
        extensions=STAFF_ONLY,
        graphql_type=list[AllocationType],
        metadata={RELATION: Relation("allocations_by_order_id", "order_pk")},
    )
    def allocations(self, info: Info) -> Any:
        return now_or_later(
            info.context.loaders.allocations_by_order_id.load(self.order_pk),
            lambda by_order: [a for a in by_order if a.line_pk == self.pk],
        )

    @classmethod
    def from_row(cls, row: OrderLine, currency: str) -> OrderLineType:
        assert row.id is not None
        return cls(
            id=encode_global_id("OrderLine", row.id),
            pk=row.id,
            order_pk=row.order_id,
            sku_id=row.sku_id,
            quantity=row.quantity,
            unit_price=Money(amount=row.unit_price, currency=currency),
            quantity_allocated=row.quantity_allocated,
            quantity_backordered=row.quantity_backordered,
            quantity_fulfilled=row.quantity_fulfilled,
            quantity_cancelled=row.quantity_cancelled,
            quantity_returned=row.quantity_returned,
            backorder_promised_at=row.backorder_promised_at,
        )


@strawberry.type
class SkuQuantity:
    sku: str
    quantity: int


@strawberry.type(description="A location the router considered, and how it scored.")
class RoutingCandidate:
    location_id: strawberry.Private[int]
    distance_km: float
    shipping_cost: int
    transit_days: int
    priority: int
    can_ship_all: bool
    chosen: bool
    available: list[SkuQuantity]

    location = related("location_by_id", "location_id", LocationType)


@strawberry.type(description="Why the order ships from where it ships.")
class RoutingDecision:
    reason: str
    max_shipments: int
    candidates: list[RoutingCandidate]
    allocations: list[SkuQuantity]
    backorders: list[SkuQuantity]

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> RoutingDecision:
        return cls(
            reason=record["reason"],
            max_shipments=record["maxShipments"],
            candidates=[
                RoutingCandidate(
                    location_id=c["locationId"],
                    distance_km=c["distanceKm"],
                    shipping_cost=c["shippingCost"],
                    transit_days=c["transitDays"],
                    priority=c["priority"],
                    can_ship_all=c["canShipAll"],
                    chosen=c["chosen"],
                    available=[SkuQuantity(sku=k, quantity=v) for k, v in c["available"].items()],
                )
                for c in record["candidates"]
            ],
            allocations=[
                SkuQuantity(sku=a["sku"], quantity=a["quantity"]) for a in record["allocations"]
            ],
            backorders=[SkuQuantity(sku=k, quantity=v) for k, v in record["backorders"].items()],
        )


@strawberry.type(name="Payment")
class PaymentView:
    method: str
    authorized: Money
    captured: Money
    refunded: Money
    credited: Money = strawberry.field(
        description="The part of the total an exchanged return's value pays, not the provider."
    )
    voided: bool

    @classmethod
    def from_row(cls, row: Payment) -> PaymentView:
        def money(amount: int) -> Money:
            return Money(amount=amount, currency=row.currency)

        return cls(
            method=row.method,
            authorized=money(row.amount_authorized),
            captured=money(row.amount_captured),
            refunded=money(row.amount_refunded),
            credited=money(row.amount_credited),
            voided=row.voided,
        )


@strawberry.type(name="Order")
class OrderType(Node):
    pk: strawberry.Private[int]
    channel_id: strawberry.Private[int]
    customer_id: strawberry.Private[int]
    number: str
    status: OrderStatus
    payment_status: PaymentStatus
    fulfilment_status: FulfilmentStatus = strawberry.field(name="fulfillmentStatus")
    email: str
    external_reference: str | None
    totals: OrderTotals
    shipping_address: ShippingAddressView
    shipping_speed: ShippingSpeed
    placed_at: datetime
    promised_at: datetime | None
    hold_reason: str | None
    cancel_reason: str | None
    cancelled_at: datetime | None
    updated_at: datetime

    channel = related("channel_by_id", "channel_id", ChannelType)
    customer = related(
        "customer_by_id",
        "customer_id",
        CustomerType,
        extensions=[allow(Permission.CUSTOMERS_READ)],
        description="The customer's record (phone, address book, history): `customers:read`. "
        "The order's own `email` and `shippingAddress` need no more than the order.",
    )
    lines = related("lines_by_order_id", "pk", list[OrderLineType])
    allocations = related(
        "allocations_by_order_id", "pk", list[AllocationType], extensions=STAFF_ONLY
    )
    payment = related("payment_by_order_id", "pk", PaymentView | None, extensions=STAFF_ONLY)
    returns = related(
        "returns_by_order_id",
        "pk",
        list[Annotated["ReturnType", strawberry.lazy("schema.returns.types")]],
    )
    refunds = related(
        "refunds_by_order_id",
        "pk",
        list[Annotated["RefundType", strawberry.lazy("schema.returns.types")]],
    )
    feedback = related(
        "feedback_by_order_id",
        "pk",
        Annotated["FeedbackType", strawberry.lazy("schema.returns.types")] | None,
        description="The customer's rating, once given after delivery.",
    )

    @strawberry.field(
        graphql_type=OrderReturnStatus,
        description="IN_PROGRESS while a return is open, else how much of what shipped came back.",
    )
    async def return_status(self, info: Info) -> OrderReturnStatus:
        loaders = info.context.loaders
        returns = await loaders.returns_by_order_id.load(self.pk)
        lines = await loaders.lines_by_order_id.load(self.pk)
        return order_return_status(
            [r.status for r in returns],
            sum(line.quantity_fulfilled for line in lines),
            sum(line.quantity_returned for line in lines),
        )

    shipments = related(
        "shipments_by_order_id",
        "pk",
        list[Annotated["ShipmentType", strawberry.lazy("schema.fulfilment.types")]],
        description="One per location the order ships from, oldest first.",
    )
    messages = related(
        "messages_by_order_id",
        "pk",
        list[Annotated["CustomerMessageType", strawberry.lazy("schema.notifications.types")]],
        extensions=STAFF_ONLY,
        description="The mail its customer was sent (or will be, or was kept), oldest first.",
    )
    timeline = related(
        "events_by_order_id",
        "pk",
        list[EventNode],
        extensions=STAFF_ONLY,
        description="The order's events, oldest first.",
    )

    routing_decision = related(
        "routing_decision_by_order_id", "pk", RoutingDecision, extensions=STAFF_ONLY
    )

    @classmethod
    def from_row(cls, row: Order) -> OrderType:
        assert row.id is not None

        return cls(
            id=encode_global_id("Order", row.id),
            pk=row.id,
            channel_id=row.channel_id,
            customer_id=row.customer_id,
            number=order_number(row.id),
            status=OrderStatus(row.status),
            payment_status=PaymentStatus(row.payment_status),
            fulfilment_status=FulfilmentStatus(row.fulfilment_status),
            email=row.email,
            external_reference=row.external_reference,
            totals=OrderTotals.of(
                row.subtotal, row.shipping_total, row.tax_total, row.total, row.currency
            ),
            shipping_address=ShippingAddressView(
                name=row.ship_name,
                line1=row.ship_line1,
                line2=row.ship_line2,
                city=row.ship_city,
                region=row.ship_region,
                postal_code=row.ship_postal_code,
                country=row.ship_country,
                latitude=row.ship_latitude,
                longitude=row.ship_longitude,
            ),
            shipping_speed=ShippingSpeed(row.shipping_speed),
            placed_at=row.placed_at,
            promised_at=row.promised_at,
            hold_reason=row.hold_reason,
            cancel_reason=row.cancel_reason,
            cancelled_at=row.cancelled_at,
            updated_at=row.updated_at,
        )
