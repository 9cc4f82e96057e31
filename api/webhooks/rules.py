"""Pure webhook rules: a delivery's lifecycle."""

from __future__ import annotations

from api.lifecycle import Lifecycle
from api.webhooks.statuses import DeliveryStatus

D = DeliveryStatus
DELIVERY = Lifecycle(
    "webhook delivery",
    "deliveryId",
    {
        # redeliverWebhook sends any delivery again now, a pending one included.
        D.PENDING: frozenset({D.PENDING, D.DELIVERED, D.FAILED}),
        D.DELIVERED: frozenset({D.PENDING}),
        D.FAILED: frozenset({D.PENDING}),
    },
    initial=frozenset({D.PENDING}),
)
