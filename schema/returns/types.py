from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.fulfilment.endpoints import label_path
from api.returns.models import (
    Feedback,
    ItemCondition,
    Refund,
    Return,
    ReturnDisposition,
    ReturnLine,
    ReturnReason,
    ReturnResolution,
)
from api.returns.rules import RETURN
from api.returns.statuses import ReturnStatus
from schema.catalog.types import SkuType
from schema.context import Info
from schema.enums import deprecate_retired
from schema.locations.types import LocationType
from schema.relations import related
from schema.relay import Node, encode_global_id
from schema.scalars import Money

if TYPE_CHECKING:
    from schema.orders.types import OrderType

for enum in (
    ReturnStatus,
    ReturnReason,
    ReturnResolution,
    ReturnDisposition,
    ItemCondition,
):
    strawberry.enum(enum)
deprecate_retired(RETURN)


@strawberry.type(name="ReturnLine")
class ReturnLineType(Node):
    order_line_pk: strawberry.Private[int]
    sku_id: strawberry.Private[int]
    location_id: strawberry.Private[int | None]
    quantity: int
    reason: ReturnReason
    quantity_received: int
    condition: ItemCondition | None
    disposition: ReturnDisposition | None

    sku = related("sku_by_id", "sku_id", SkuType)
    location = related(
        "location_by_id",
        "location_id",
        LocationType | None,
        description="Where the units went when received.",
    )

    @strawberry.field
    def order_line_id(self) -> strawberry.ID:
        return encode_global_id("OrderLine", self.order_line_pk)

    @classmethod
    def from_row(cls, row: ReturnLine) -> ReturnLineType:
        assert row.id is not None
        return cls(
            id=encode_global_id("ReturnLine", row.id),
            order_line_pk=row.order_line_id,
            sku_id=row.sku_id,
            location_id=row.location_id,
            quantity=row.quantity,
            reason=ReturnReason(row.reason),
            quantity_received=row.quantity_received,
            condition=ItemCondition(row.condition) if row.condition else None,
            disposition=ReturnDisposition(row.disposition) if row.disposition else None,
        )


@strawberry.type(name="Refund")
class RefundType(Node):
    amount: Money
    restocking_fee: Money
    includes_shipping: bool
    reason: str
    created_at: datetime

    @classmethod
    def from_row(cls, row: Refund, currency: str) -> RefundType:
        assert row.id is not None
        return cls(
            id=encode_global_id("Refund", row.id),
            amount=Money(amount=row.amount, currency=currency),
            restocking_fee=Money(amount=row.restocking_fee, currency=currency),
            includes_shipping=row.includes_shipping,
            reason=row.reason,
            created_at=row.created_at,
        )


@strawberry.type(name="Return", description="Units a customer sends back, and what became of them.")
class ReturnType(Node):
    pk: strawberry.Private[int]
    order_pk: strawberry.Private[int]
    status: ReturnStatus
    resolution: ReturnResolution
    reject_reason: str | None
    created_at: datetime
    decided_at: datetime | None
    received_at: datetime | None

    order = related(
        "order_by_id", "order_pk", Annotated["OrderType", strawberry.lazy("schema.orders.types")]
    )
    lines = related("lines_by_return_id", "pk", list[ReturnLineType])
    refunds = related("refunds_by_return_id", "pk", list[RefundType])
    exchange_orders = related(
        "exchange_orders_by_return_id",
        "pk",
        list[Annotated["OrderType", strawberry.lazy("schema.orders.types")]],
        description="Orders this return paid for.",
    )

    @strawberry.field(
        description="The customer's prepaid label back, once approved: a signed link that opens "
        "without a token, for a while."
    )
    def label_url(self, info: Info) -> str | None:
        if self.status in (ReturnStatus.REQUESTED, ReturnStatus.REJECTED):
            return None
        return label_path(self.pk, info.context.settings, kind="return")

    @classmethod
    def from_row(cls, row: Return) -> ReturnType:
        assert row.id is not None
        return cls(
            id=encode_global_id("Return", row.id),
            pk=row.id,
            order_pk=row.order_id,
            status=ReturnStatus(row.status),
            resolution=ReturnResolution(row.resolution),
            reject_reason=row.reject_reason,
            created_at=row.created_at,
            decided_at=row.decided_at,
            received_at=row.received_at,
        )


@strawberry.type(name="Feedback")
class FeedbackType:
    rating: int
    comment: str | None
    created_at: datetime

    @classmethod
    def from_row(cls, row: Feedback) -> FeedbackType:
        return cls(rating=row.rating, comment=row.comment, created_at=row.created_at)
