"""The states of a webhook delivery."""

from __future__ import annotations

from enum import StrEnum


class DeliveryStatus(StrEnum):
    PENDING = "PENDING"
    """Waiting for its next attempt (the first, or a retry)."""
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"
    """Every attempt over the retry period failed; ``redeliverWebhook`` tries again."""
