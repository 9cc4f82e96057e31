"""How long to wait before trying a failed delivery again (a webhook, a mail)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class RetryPolicy:
    base_seconds: float
    max_seconds: float
    period: timedelta
    """How long after it was made a delivery is still tried."""

    def next_attempt(self, attempts: int, now: datetime) -> datetime:
        """Exponential from ``base_seconds``, capped, with full jitter over its upper half."""
        ceiling = min(self.max_seconds, self.base_seconds * 2 ** max(attempts - 1, 0))
        return now + timedelta(seconds=ceiling * random.uniform(0.5, 1.0))
