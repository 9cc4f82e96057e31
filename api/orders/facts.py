"""Facts orders announce to the contexts that react to them (``api.events.reactions``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ExchangeCancelled:
    """An exchange order paid with a return's credit was cancelled before it shipped."""

    return_id: int
    exchange_number: str
    at: datetime
