"""What happens to locations and their bins."""

from __future__ import annotations

from dataclasses import dataclass

from api.events.declared import DomainEvent, about
from api.events.models import EventType


@dataclass(frozen=True, kw_only=True)
class LocationCreated(DomainEvent):
    type = EventType.LOCATION_CREATED
    aggregate_type = "location"
    location_id: int = about()
    code: str
    name: str
    ships: bool


@dataclass(frozen=True, kw_only=True)
class BinCreated(DomainEvent):
    type = EventType.BIN_CREATED
    aggregate_type = "bin"
    bin_id: int = about()
    location_id: int
    code: str
    pick_sequence: int
