"""The states of a payment, its transactions and its calls to the provider."""

from __future__ import annotations

from enum import StrEnum


class CallStatus(StrEnum):
    PENDING = "PENDING"
    """Recorded before the call: it may or may not have reached the provider."""
    SUCCEEDED = "SUCCEEDED"
    """Done, and its command committed what it did."""
    FAILED = "FAILED"
    """The provider declined: nothing moved."""
    RECONCILED = "RECONCILED"
    """Done, its command lost: what the provider did was recorded afterwards."""
    COMPENSATED = "COMPENSATED"
    """Done, its command lost, and undone at the provider (a hold released)."""


class PaymentStatus(StrEnum):
    PENDING = "PENDING"
    AUTHORIZED = "AUTHORIZED"
    PARTIALLY_PAID = "PARTIALLY_PAID"
    PAID = "PAID"
    PARTIALLY_REFUNDED = "PARTIALLY_REFUNDED"
    REFUNDED = "REFUNDED"
    VOIDED = "VOIDED"


class TransactionKind(StrEnum):
    AUTHORIZE = "AUTHORIZE"
    CAPTURE = "CAPTURE"
    VOID = "VOID"
    REFUND = "REFUND"
