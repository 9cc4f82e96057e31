from __future__ import annotations

from datetime import timedelta

import strawberry
from sqlmodel import col

from api.auth import Permission
from api.errors import NotFound
from api.orders import queries as order_queries
from api.orders.requests import LineRequest
from api.returns import exchanges, feedback, queries, receiving, refunds, service
from api.returns.models import (
    ItemCondition,
    Return,
    ReturnDisposition,
    ReturnReason,
    ReturnResolution,
)
from api.returns.statuses import ReturnStatus
from schema import fields
from schema.context import Info
from schema.errors import ClientError, UserError
from schema.orders.types import OrderType
from schema.permissions import require
from schema.relay import Connection, connection, decode_id, query_id
from schema.returns.types import FeedbackType, RefundType, ReturnType


@strawberry.input
class ReturnFilter:
    status: list[ReturnStatus] | None = None
    reason: list[ReturnReason] | None = None
    location_id: strawberry.ID | None = strawberry.field(
        default=None, description="Returns with units received at this location."
    )


@strawberry.input
class ReturnLineInput:
    order_line_id: strawberry.ID
    quantity: int
    reason: ReturnReason


@strawberry.input
class RequestReturnInput:
    order_id: strawberry.ID | None = strawberry.field(
        default=None, description="Staff name the order; a customer gives its tracking token."
    )
    tracking_token: str | None = None
    lines: list[ReturnLineInput]
    resolution: ReturnResolution = ReturnResolution.REFUND


@strawberry.type
class ReturnPayload:
    return_: ReturnType | None = strawberry.field(default=None, name="return")
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class ReturnIdInput:
    return_id: strawberry.ID


@strawberry.input
class RejectReturnInput:
    return_id: strawberry.ID
    reason: str


@strawberry.input
class ReceiveReturnLineInput:
    return_line_id: strawberry.ID
    quantity: int
    condition: ItemCondition
    disposition: ReturnDisposition
    location_id: strawberry.ID | None = strawberry.field(
        default=None, description="Where the units go; the location they shipped from if omitted."
    )


@strawberry.input
class ReceiveReturnInput:
    return_id: strawberry.ID
    lines: list[ReceiveReturnLineInput]
    idempotency_key: str | None = fields.idempotency_key("receives")


@strawberry.input
class RefundReturnInput:
    return_id: strawberry.ID
    include_shipping: bool = False
    restocking_fee: int = strawberry.field(default=0, description="Minor units kept back.")
    idempotency_key: str | None = None


@strawberry.input
class IssueRefundInput:
    order_id: strawberry.ID
    amount: int = strawberry.field(description="Minor units of the order's currency.")
    reason: str
    idempotency_key: str | None = None


@strawberry.type
class RefundPayload:
    refund: RefundType | None = None
    return_: ReturnType | None = strawberry.field(default=None, name="return")
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class ExchangeLineInput:
    sku: str
    quantity: int


@strawberry.input
class CreateExchangeInput:
    return_id: strawberry.ID
    lines: list[ExchangeLineInput]
    payment_token: str | None = strawberry.field(
        default=None, description="Charged for the difference when the new order costs more."
    )
    idempotency_key: str | None = fields.idempotency_key("places or charges")


@strawberry.type
class CreateExchangePayload:
    order: OrderType | None = strawberry.field(default=None, description="The new order.")
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class SubmitFeedbackInput:
    tracking_token: str
    rating: int = strawberry.field(description="1 (poor) to 5 (excellent).")
    comment: str | None = None


@strawberry.type
class SubmitFeedbackPayload:
    feedback: FeedbackType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ReturnQueries:
    @fields.query(Permission.ORDERS_READ, description="Returns, newest first by default.")
    async def returns(
        self,
        info: Info,
        filter: ReturnFilter | None = None,
        reverse: bool = True,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[ReturnType]:
        criteria = filter or ReturnFilter()
        statement = queries.returns_query(
            queries.ReturnFilter(
                statuses=[s.value for s in criteria.status or []],
                reasons=[r.value for r in criteria.reason or []],
                location_id=(
                    query_id(criteria.location_id, "Location", "filter.locationId")
                    if criteria.location_id
                    else None
                ),
            )
        )
        return await connection(
            info,
            statement,
            col(Return.id),
            ReturnType.from_row,
            first=first,
            after=after,
            last=last,
            before=before,
            descending=reverse,
        )


async def _order_for_return(info: Info, input: RequestReturnInput) -> tuple[int, str]:
    """The order the return is for, and who asks: a customer by token, or staff by id."""
    if (input.order_id is None) == (input.tracking_token is None):
        raise ClientError("give orderId (staff) or trackingToken (customer)")
    if input.tracking_token is not None:
        async with info.context.database.session() as session:
            order = await order_queries.order_by_tracking_token(
                session, input.tracking_token, info.context.settings.secret_key
            )
        if order is None or order.id is None:
            raise NotFound("order for this tracking token", "", field=["trackingToken"])
        return order.id, f"customer:order:{order.id}"
    require(info, Permission.RETURNS_WRITE)
    return decode_id(input.order_id or "", "Order", "orderId"), info.context.principal.actor


@strawberry.type
class ReturnMutations:
    @fields.mutation(
        None,
        description="Staff (returns:write) name the order; a customer's tracking token opens "
        "its own order and nothing else.",
    )
    async def request_return(self, info: Info, input: RequestReturnInput) -> ReturnPayload:
        order_id, actor = await _order_for_return(info, input)
        lines = [
            service.ReturnLineRequest(
                decode_id(line.order_line_id, "OrderLine", f"lines.{index}.orderLineId"),
                line.quantity,
                line.reason,
            )
            for index, line in enumerate(input.lines)
        ]
        async with info.context.database.unit_of_work(actor) as uow:
            requested = await service.request_return(
                uow,
                order_id=order_id,
                lines=lines,
                resolution=input.resolution,
                window=timedelta(days=info.context.settings.return_window_days),
            )
        return ReturnPayload(return_=ReturnType.from_row(requested))

    @fields.mutation(
        Permission.RETURNS_WRITE, description="Accepts the return and books the customer's label."
    )
    async def approve_return(self, info: Info, input: ReturnIdInput) -> ReturnPayload:
        return_id = decode_id(input.return_id, "Return", "returnId")
        async with info.context.unit_of_work() as uow:
            approved = await service.approve_return(uow, info.context.carriers, return_id=return_id)
        return ReturnPayload(return_=ReturnType.from_row(approved))

    @fields.mutation(Permission.RETURNS_WRITE, description="Files a return whose story is over.")
    async def close_return(self, info: Info, input: ReturnIdInput) -> ReturnPayload:
        return_id = decode_id(input.return_id, "Return", "returnId")
        async with info.context.unit_of_work() as uow:
            closed = await service.close_return(uow, return_id=return_id)
        return ReturnPayload(return_=ReturnType.from_row(closed))

    @fields.mutation(Permission.RETURNS_WRITE)
    async def reject_return(self, info: Info, input: RejectReturnInput) -> ReturnPayload:
        return_id = decode_id(input.return_id, "Return", "returnId")
        async with info.context.unit_of_work() as uow:
            rejected = await service.reject_return(uow, return_id=return_id, reason=input.reason)
        return ReturnPayload(return_=ReturnType.from_row(rejected))

    @fields.mutation(
        Permission.RETURNS_WRITE,
        description="What arrived, in what condition, and where each unit goes.",
    )
    async def receive_return(self, info: Info, input: ReceiveReturnInput) -> ReturnPayload:
        return_id = decode_id(input.return_id, "Return", "returnId")
        lines = [
            receiving.ReceivedLine(
                decode_id(line.return_line_id, "ReturnLine", f"lines.{index}.returnLineId"),
                line.quantity,
                line.condition,
                line.disposition,
                decode_id(line.location_id, "Location", f"lines.{index}.locationId")
                if line.location_id
                else None,
            )
            for index, line in enumerate(input.lines)
        ]
        async with info.context.unit_of_work() as uow:
            received = await receiving.receive_return(
                uow, return_id=return_id, lines=lines, idempotency_key=input.idempotency_key
            )
        return ReturnPayload(return_=ReturnType.from_row(received))

    @fields.mutation(Permission.REFUNDS_WRITE)
    async def refund_return(self, info: Info, input: RefundReturnInput) -> RefundPayload:
        return_id = decode_id(input.return_id, "Return", "returnId")
        async with info.context.unit_of_work() as uow:
            refund = await refunds.refund_return(
                uow,
                info.context.payments,
                return_id=return_id,
                include_shipping=input.include_shipping,
                restocking_fee=input.restocking_fee,
                idempotency_key=input.idempotency_key,
            )
        found = await info.context.loaders.return_by_id.load(return_id)
        currency = await _currency(info, refund.order_id)
        return RefundPayload(refund=RefundType.from_row(refund, currency), return_=found)

    @fields.mutation(
        Permission.REFUNDS_WRITE, description="A refund without a return: goodwill, partial."
    )
    async def issue_refund(self, info: Info, input: IssueRefundInput) -> RefundPayload:
        order_id = decode_id(input.order_id, "Order", "orderId")
        async with info.context.unit_of_work() as uow:
            refund = await refunds.issue_refund(
                uow,
                info.context.payments,
                order_id=order_id,
                amount=input.amount,
                reason=input.reason,
                idempotency_key=input.idempotency_key,
            )
        currency = await _currency(info, order_id)
        return RefundPayload(refund=RefundType.from_row(refund, currency))

    @fields.mutation(
        Permission.RETURNS_WRITE,
        Permission.REFUNDS_WRITE,
        description="A new order paid by the goods a received return brought back; the "
        "difference is charged on paymentToken or refunded (so it needs `refunds:write` as "
        "well as `returns:write`).",
    )
    async def create_exchange(
        self, info: Info, input: CreateExchangeInput
    ) -> CreateExchangePayload:
        return_id = decode_id(input.return_id, "Return", "returnId")
        placed = await exchanges.create_exchange(
            info.context.database,
            info.context.principal.actor,
            info.context.payments,
            info.context.order_policy,
            return_id=return_id,
            lines=[LineRequest(line.sku, line.quantity) for line in input.lines],
            payment_token=input.payment_token,
            idempotency_key=input.idempotency_key,
        )
        return CreateExchangePayload(order=OrderType.from_row(placed.order))

    @fields.mutation(None, description="The customer's rating of a delivered order, once.")
    async def submit_feedback(
        self, info: Info, input: SubmitFeedbackInput
    ) -> SubmitFeedbackPayload:
        async with info.context.database.session() as session:
            order = await order_queries.order_by_tracking_token(
                session, input.tracking_token, info.context.settings.secret_key
            )
        if order is None or order.id is None:
            raise NotFound("order for this tracking token", "", field=["trackingToken"])
        async with info.context.database.unit_of_work(f"customer:order:{order.id}") as uow:
            given = await feedback.submit_feedback(
                uow, order_id=order.id, rating=input.rating, comment=input.comment
            )
        return SubmitFeedbackPayload(feedback=FeedbackType.from_row(given))


async def _currency(info: Info, order_id: int) -> str:
    order = await info.context.loaders.order_by_id.load(order_id)
    assert order is not None
    return order.totals.total.currency
