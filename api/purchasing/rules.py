"""Pure purchasing rules: a purchase order's lifecycle."""

from __future__ import annotations

from api.lifecycle import Lifecycle
from api.purchasing.statuses import PurchaseOrderStatus

P = PurchaseOrderStatus
PURCHASE_ORDER = Lifecycle(
    "purchase order",
    "purchaseOrderId",
    {
        P.DRAFT: frozenset({P.ORDERED, P.CANCELLED}),
        P.ORDERED: frozenset({P.PARTIALLY_RECEIVED, P.RECEIVED, P.CANCELLED}),
        # Each receipt that leaves units outstanding keeps it partially received.
        P.PARTIALLY_RECEIVED: frozenset({P.PARTIALLY_RECEIVED, P.RECEIVED, P.CANCELLED}),
        P.RECEIVED: frozenset(),
        P.CANCELLED: frozenset(),
    },
    initial=frozenset({P.DRAFT}),
)
