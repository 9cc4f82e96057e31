from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from sqlmodel import col

from api.auth import Permission
from api.orders import changes, editing, placement, queries, routing
from api.orders.models import Order, order_id_from_number
from api.orders.requests import LineRequest, PlaceOrderRequest, ShippingAddress
from api.orders.statuses import OrderStatus
from api.shipping.speeds import ShippingSpeed
from schema import fields
from schema.context import Info
from schema.errors import ClientError, UserError
from schema.orders.types import OrderTotals, OrderType, RoutingDecision
from schema.relay import Connection, connection, decode_id, query_id


@strawberry.enum
class OrderSortKey(Enum):
    PLACED_AT = "PLACED_AT"


@strawberry.input
class OrderFilter:
    status: list[OrderStatus] | None = None
    channel_id: strawberry.ID | None = None
    customer_email: str | None = None
    placed_from: datetime | None = None
    placed_to: datetime | None = None
    query: str | None = strawberry.field(
        default=None, description="An order number (SO-000123) or the start of an email."
    )


@strawberry.input
class OrderLineInput:
    sku: str
    quantity: int


@strawberry.input
class ShippingAddressInput:
    name: str
    line1: str
    city: str
    postal_code: str
    country: str = strawberry.field(description="ISO 3166-1 alpha-2, e.g. DE")
    line2: str | None = None
    region: str | None = None
    latitude: float | None = strawberry.field(
        default=None, description="With longitude; found offline from city and country if omitted."
    )
    longitude: float | None = None

    def to_domain(self) -> ShippingAddress:
        return ShippingAddress(
            name=self.name,
            line1=self.line1,
            line2=self.line2,
            city=self.city,
            region=self.region,
            postal_code=self.postal_code,
            country=self.country,
            latitude=self.latitude,
            longitude=self.longitude,
        )


def _lines(lines: list[OrderLineInput]) -> list[LineRequest]:
    return [LineRequest(line.sku, line.quantity) for line in lines]


@strawberry.input
class SimulateRoutingInput:
    lines: list[OrderLineInput]
    shipping_address: ShippingAddressInput
    shipping_speed: ShippingSpeed = ShippingSpeed.STANDARD


@strawberry.type
class RoutingSimulation:
    decision: RoutingDecision
    totals: OrderTotals


@strawberry.type
class OrderQueries:
    @fields.query(Permission.ORDERS_READ)
    async def orders(
        self,
        info: Info,
        filter: OrderFilter | None = None,
        sort_key: OrderSortKey = OrderSortKey.PLACED_AT,
        reverse: bool = False,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[OrderType]:
        criteria = filter or OrderFilter()
        statement = queries.orders_query(
            queries.OrderFilter(
                statuses=[status.value for status in criteria.status or []],
                channel_id=(
                    query_id(criteria.channel_id, "Channel", "filter.channelId")
                    if criteria.channel_id
                    else None
                ),
                customer_email=criteria.customer_email,
                placed_from=criteria.placed_from,
                placed_to=criteria.placed_to,
                search=criteria.query,
            )
        )
        return await connection(
            info,
            statement,
            col(Order.id),
            OrderType.from_row,
            first=first,
            after=after,
            last=last,
            before=before,
            descending=reverse,
        )

    @fields.query(Permission.ORDERS_READ, description="An order by its ID or its number.")
    async def order(
        self, info: Info, id: strawberry.ID | None = None, number: str | None = None
    ) -> OrderType | None:
        if (id is None) == (number is None):
            raise ClientError("pass id or number")
        order_id = query_id(id, "Order", "id") if id else order_id_from_number(number or "")
        if order_id is None:
            return None
        return await info.context.loaders.order_by_id.load(order_id)

    @fields.query(None, description="The customer's view of one order; the token alone grants it.")
    async def order_by_tracking_token(self, info: Info, token: str) -> OrderType | None:
        async with info.context.database.session() as session:
            row = await queries.order_by_tracking_token(
                session, token, info.context.settings.secret_key
            )
        return OrderType.from_row(row) if row else None

    @fields.query(
        Permission.ORDERS_READ,
        description="Where placeOrder would ship these lines from now, and at what price; "
        "reserves nothing.",
    )
    async def simulate_routing(self, info: Info, input: SimulateRoutingInput) -> RoutingSimulation:
        async with info.context.database.session() as session:
            simulation = await routing.simulate_routing(
                session,
                _lines(input.lines),
                input.shipping_address.to_domain(),
                input.shipping_speed,
                info.context.order_policy,
            )
        totals = simulation.totals
        return RoutingSimulation(
            decision=RoutingDecision.from_record(simulation.decision),
            totals=OrderTotals.of(
                totals.subtotal, totals.shipping, totals.tax, totals.total, simulation.currency
            ),
        )


@strawberry.input
class CustomerInput:
    email: str
    name: str
    locale: str | None = strawberry.field(
        default=None,
        description="The language the customer reads (de, en-GB): their mail is written in it.",
    )


@strawberry.input
class PaymentInput:
    token: str = strawberry.field(description="From checkout; see the test provider's tokens.")
    method: str = "card"


@strawberry.input
class PlaceOrderInput:
    channel: str = strawberry.field(description="The channel's code.")
    customer: CustomerInput
    lines: list[OrderLineInput]
    shipping_address: ShippingAddressInput
    payment: PaymentInput
    shipping_speed: ShippingSpeed = ShippingSpeed.STANDARD
    idempotency_key: str | None = strawberry.field(
        default=None, description="Replaying a key returns the first result, token included."
    )
    external_reference: str | None = strawberry.field(
        default=None, description="The channel's own order number; unique per channel."
    )


@strawberry.type
class PlaceOrderPayload:
    order: OrderType | None = None
    tracking_token: str | None = strawberry.field(
        default=None, description="Lets the customer follow this order. Shown only here."
    )
    replayed: bool = False
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class CancelLineInput:
    order_line_id: strawberry.ID
    quantity: int


@strawberry.input
class CancelOrderInput:
    order_id: strawberry.ID
    reason: str
    lines: list[CancelLineInput] | None = strawberry.field(
        default=None, description="Cancel only these units; the whole order when omitted."
    )
    idempotency_key: str | None = fields.idempotency_key("cancels")


@strawberry.type
class CancelOrderPayload:
    order: OrderType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class HoldOrderInput:
    order_id: strawberry.ID
    reason: str


@strawberry.type
class HoldOrderPayload:
    order: OrderType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class ReleaseOrderHoldInput:
    order_id: strawberry.ID


@strawberry.type
class ReleaseOrderHoldPayload:
    order: OrderType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class EditOrderInput:
    order_id: strawberry.ID
    lines: list[OrderLineInput] | None = strawberry.field(
        default=None,
        description="Units each named SKU should have after the edit: 0 removes a line, a new "
        "SKU adds one, lines not named stay as they are.",
    )
    shipping_address: ShippingAddressInput | None = None
    idempotency_key: str | None = fields.idempotency_key("changes")


@strawberry.type
class EditOrderPayload:
    order: OrderType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class OrderMutations:
    @fields.mutation(Permission.ORDERS_WRITE)
    async def place_order(self, info: Info, input: PlaceOrderInput) -> PlaceOrderPayload:
        request = PlaceOrderRequest(
            channel=input.channel,
            customer_email=input.customer.email,
            customer_name=input.customer.name,
            customer_locale=input.customer.locale,
            lines=_lines(input.lines),
            address=input.shipping_address.to_domain(),
            payment_method=input.payment.method,
            payment_token=input.payment.token,
            shipping_speed=input.shipping_speed,
            idempotency_key=input.idempotency_key,
            external_reference=input.external_reference,
        )
        async with info.context.unit_of_work() as uow:
            placed = await placement.place_order(
                uow, info.context.payments, request, info.context.order_policy
            )
        return PlaceOrderPayload(
            order=OrderType.from_row(placed.order),
            tracking_token=placed.tracking_token,
            replayed=placed.replayed,
        )

    @fields.mutation(Permission.ORDERS_WRITE)
    async def cancel_order(self, info: Info, input: CancelOrderInput) -> CancelOrderPayload:
        order_id = decode_id(input.order_id, "Order", "orderId")
        lines = (
            [
                changes.LineCancellation(
                    decode_id(line.order_line_id, "OrderLine", f"lines.{index}.orderLineId"),
                    line.quantity,
                )
                for index, line in enumerate(input.lines)
            ]
            if input.lines is not None
            else None
        )
        async with info.context.unit_of_work() as uow:
            order = await changes.cancel_order(
                uow,
                info.context.payments,
                order_id=order_id,
                reason=input.reason,
                lines=lines,
                idempotency_key=input.idempotency_key,
            )
        return CancelOrderPayload(order=OrderType.from_row(order))

    @fields.mutation(Permission.ORDERS_WRITE)
    async def edit_order(self, info: Info, input: EditOrderInput) -> EditOrderPayload:
        order_id = decode_id(input.order_id, "Order", "orderId")
        address = input.shipping_address.to_domain() if input.shipping_address else None
        lines = _lines(input.lines) if input.lines is not None else None
        async with info.context.unit_of_work() as uow:
            order = await editing.edit_order(
                uow,
                info.context.payments,
                order_id=order_id,
                lines=lines,
                address=address,
                policy=info.context.order_policy,
                idempotency_key=input.idempotency_key,
            )
        return EditOrderPayload(order=OrderType.from_row(order))

    @fields.mutation(Permission.ORDERS_WRITE)
    async def hold_order(self, info: Info, input: HoldOrderInput) -> HoldOrderPayload:
        order_id = decode_id(input.order_id, "Order", "orderId")
        async with info.context.unit_of_work() as uow:
            order = await changes.hold_order(uow, order_id=order_id, reason=input.reason)
        return HoldOrderPayload(order=OrderType.from_row(order))

    @fields.mutation(Permission.ORDERS_WRITE)
    async def release_order_hold(
        self, info: Info, input: ReleaseOrderHoldInput
    ) -> ReleaseOrderHoldPayload:
        order_id = decode_id(input.order_id, "Order", "orderId")
        async with info.context.unit_of_work() as uow:
            order = await changes.release_order_hold(uow, order_id=order_id)
        return ReleaseOrderHoldPayload(order=OrderType.from_row(order))
