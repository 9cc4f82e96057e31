"""What happens to an order's money outside the command that asked for it."""

from __future__ import annotations

from dataclasses import dataclass

from api.events.declared import DomainEvent, about
from api.events.models import EventType


@dataclass(frozen=True, kw_only=True)
class PaymentReconciled(DomainEvent):
    """A provider call whose command never settled it, settled from what the provider did."""

    type = EventType.PAYMENT_RECONCILED
    aggregate_type = "order"
    order_id: int = about()
    kind: str
    amount: int
    reference: str | None
    call_id: int
    captured: int
    authorized: int
