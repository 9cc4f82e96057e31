"""What happens to a return, its refund and the customer's feedback (all about the order)."""

from __future__ import annotations

from dataclasses import dataclass

from api.events.models import EventType
from api.orders.events import OrderEvent
from api.returns.statuses import ReturnStatus


@dataclass(frozen=True, kw_only=True)
class LineToReturn:
    order_line_id: int
    quantity: int
    reason: str


@dataclass(frozen=True, kw_only=True)
class ReturnRequested(OrderEvent):
    type = EventType.RETURN_REQUESTED
    return_id: int
    resolution: str
    lines: list[LineToReturn]


@dataclass(frozen=True, kw_only=True)
class ReturnDecided(OrderEvent):
    return_id: int
    reason: str | None


@dataclass(frozen=True, kw_only=True)
class ReturnApproved(ReturnDecided):
    type = EventType.RETURN_APPROVED


@dataclass(frozen=True, kw_only=True)
class ReturnRejected(ReturnDecided):
    type = EventType.RETURN_REJECTED


@dataclass(frozen=True, kw_only=True)
class ReturnClosed(ReturnDecided):
    type = EventType.RETURN_CLOSED


@dataclass(frozen=True, kw_only=True)
class LineReceived:
    return_line_id: int
    quantity: int
    condition: str
    disposition: str
    location_id: int | None


@dataclass(frozen=True, kw_only=True)
class ReturnReceived(OrderEvent):
    type = EventType.RETURN_RECEIVED
    return_id: int
    lines: list[LineReceived]


@dataclass(frozen=True, kw_only=True)
class ReturnReopened(OrderEvent):
    """A cancelled exchange order gave its return the credit back."""

    type = EventType.RETURN_REOPENED
    return_id: int
    cancelled_exchange: str


@dataclass(frozen=True, kw_only=True)
class RefundIssued(OrderEvent):
    type = EventType.REFUND_ISSUED
    refund_id: int
    return_id: int | None
    amount: int
    refunded: int
    captured: int


@dataclass(frozen=True, kw_only=True)
class FeedbackSubmitted(OrderEvent):
    type = EventType.FEEDBACK_SUBMITTED
    rating: int


DECIDED: dict[ReturnStatus, type[ReturnDecided]] = {
    ReturnStatus.APPROVED: ReturnApproved,
    ReturnStatus.REJECTED: ReturnRejected,
    ReturnStatus.CLOSED: ReturnClosed,
}
"""The event of a return's decision, by the status it moved to."""
