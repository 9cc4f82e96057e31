"""Facts customers announce to the contexts that react to them (``api.events.reactions``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SurveysRefused:
    """A customer asked for no more mail that is not about a transaction (the survey)."""

    customer_id: int
