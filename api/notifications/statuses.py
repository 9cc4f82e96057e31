"""The kinds of message a customer receives, and the states of one message."""

from __future__ import annotations

from enum import StrEnum


class MessageKind(StrEnum):
    ORDER_CONFIRMED = "ORDER_CONFIRMED"
    ORDER_BACKORDERED = "ORDER_BACKORDERED"
    """Some units wait for stock: when they are promised."""
    SHIPMENT_SHIPPED = "SHIPMENT_SHIPPED"
    SHIPMENT_OUT_FOR_DELIVERY = "SHIPMENT_OUT_FOR_DELIVERY"
    SHIPMENT_DELIVERED = "SHIPMENT_DELIVERED"
    ORDER_DELAYED = "ORDER_DELAYED"
    """The order passed its promised date undelivered."""
    ORDER_CANCELLED = "ORDER_CANCELLED"
    RETURN_APPROVED = "RETURN_APPROVED"
    REFUND_ISSUED = "REFUND_ISSUED"
    FEEDBACK_REQUESTED = "FEEDBACK_REQUESTED"
    """The survey after delivery: the one message that is not about a transaction, so the
    one a customer may opt out of."""


class MessageStatus(StrEnum):
    PENDING = "PENDING"
    """Waiting for its next attempt (the first, or a retry)."""
    SENT = "SENT"
    """The mail server accepted it."""
    KEPT = "KEPT"
    """No mail server is configured: kept in the database for staff to read."""
    FAILED = "FAILED"
    """Refused for good (an address the server will not take), or every attempt over the
    retry period failed."""
    SUPPRESSED = "SUPPRESSED"
    """Not sent: the customer opted out of mail that is not about a transaction."""
