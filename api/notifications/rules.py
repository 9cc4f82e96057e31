"""Pure notification rules: which events a customer hears of, a message's lifecycle, and what
a mail server's answer means for it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from api.lifecycle import Lifecycle
from api.notifications.statuses import MessageKind, MessageStatus

M = MessageStatus
MESSAGE = Lifecycle(
    "message",
    "messageId",
    {
        # SUPPRESSED: a survey still waiting when its customer opts out.
        M.PENDING: frozenset({M.PENDING, M.SENT, M.KEPT, M.FAILED, M.SUPPRESSED}),
        M.SENT: frozenset(),
        M.KEPT: frozenset(),
        M.FAILED: frozenset(),
        M.SUPPRESSED: frozenset(),
    },
    initial=frozenset({M.PENDING, M.SUPPRESSED}),
)

NOT_TRANSACTIONAL = frozenset({MessageKind.FEEDBACK_REQUESTED})
"""Mail a customer may opt out of: it tells of no change to their order or their money."""

# Event types by name: pure rules import no model, and the event type enum lives with the log's
# table (a test checks each name against it).
_BY_EVENT: Mapping[str, MessageKind] = {
    "ORDER_PLACED": MessageKind.ORDER_CONFIRMED,
    "SHIPMENT_SHIPPED": MessageKind.SHIPMENT_SHIPPED,
    "SHIPMENT_DELIVERED": MessageKind.SHIPMENT_DELIVERED,
    "ORDER_DELAYED": MessageKind.ORDER_DELAYED,
    "ORDER_CANCELLED": MessageKind.ORDER_CANCELLED,
    "RETURN_APPROVED": MessageKind.RETURN_APPROVED,
    "REFUND_ISSUED": MessageKind.REFUND_ISSUED,
    "FEEDBACK_REQUESTED": MessageKind.FEEDBACK_REQUESTED,
}

TOLD_OF = frozenset({*_BY_EVENT, "SHIPMENT_TRACKING_UPDATED"})
"""The event types that may become a message."""


def kinds_for(event_type: str, payload: Mapping[str, Any]) -> list[MessageKind]:
    """The messages an event of the log becomes: none for most."""
    kind = _BY_EVENT.get(event_type)
    if kind is MessageKind.ORDER_CONFIRMED and payload.get("backorders"):
        return [kind, MessageKind.ORDER_BACKORDERED]
    if kind is not None:
        return [kind]
    if (
        event_type == "SHIPMENT_TRACKING_UPDATED"
        and payload.get("applied")
        and payload.get("status") == "OUT_FOR_DELIVERY"
    ):
        return [MessageKind.SHIPMENT_OUT_FOR_DELIVERY]
    return []


def is_permanent_refusal(code: int | None) -> bool:
    """An SMTP reply to a mail in the 5xx range: the server will never take it (an address
    that does not exist, a domain that takes no mail). 4xx replies and broken connections
    pass."""
    return code is not None and 500 <= code <= 599
