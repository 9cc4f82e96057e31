"""Pure fulfilment rules: the shipment lifecycle, and how far a picker walks.

The walking model is a warehouse of parallel aisles with a cross aisle at the front (bay 0)
and one at the back: aisles lie ``AISLE_SPACING_M`` apart, bays ``BAY_WIDTH_M`` apart along an
aisle. A walk starts and ends at the depot, the front of aisle 0. Between two bins of one aisle
the picker walks along it; between aisles they leave by the front or the back, whichever is
shorter for that leg, cross, and walk in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from api.errors import IllegalTransition
from api.orders.statuses import ShipmentStatus

S = ShipmentStatus

TRANSITIONS: dict[ShipmentStatus, frozenset[ShipmentStatus]] = {
    S.PENDING: frozenset({S.PICKING, S.CANCELLED}),
    S.PICKING: frozenset({S.PACKED, S.CANCELLED}),
    S.PACKED: frozenset({S.SHIPPED, S.CANCELLED}),
    S.SHIPPED: frozenset({S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED, S.EXCEPTION}),
    S.IN_TRANSIT: frozenset({S.OUT_FOR_DELIVERY, S.DELIVERED, S.EXCEPTION}),
    S.OUT_FOR_DELIVERY: frozenset({S.IN_TRANSIT, S.DELIVERED, S.EXCEPTION}),
    S.EXCEPTION: frozenset({S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED}),
    S.DELIVERED: frozenset(),
    S.CANCELLED: frozenset(),
}

# Statuses in which the stock is still in the building.
NOT_YET_SHIPPED = frozenset({S.PENDING, S.PICKING, S.PACKED})


def require_transition(current: ShipmentStatus, target: ShipmentStatus, shipment_id: int) -> None:
    if target not in TRANSITIONS[current]:
        raise IllegalTransition(
            f"shipment {shipment_id} is {current.value} and cannot become {target.value}",
            field=["shipmentId"],
            current=current.value,
            target=target.value,
        )


AISLE_SPACING_M = 3.0
BAY_WIDTH_M = 1.5


@dataclass(frozen=True)
class Spot:
    """Where a bin is on the floor."""

    aisle: int
    bay: int

    @property
    def x(self) -> float:
        return self.aisle * AISLE_SPACING_M

    @property
    def y(self) -> float:
        return self.bay * BAY_WIDTH_M


DEPOT = Spot(0, 0)


def aisle_length(spots: Iterable[Spot]) -> float:
    """From the front cross aisle to the back one: one bay beyond the deepest bin."""
    return (max((spot.bay for spot in spots), default=0) + 1) * BAY_WIDTH_M


def leg(start: Spot, end: Spot, length: float) -> float:
    if start.aisle == end.aisle:
        return abs(start.y - end.y)
    by_front = start.y + end.y
    by_back = (length - start.y) + (length - end.y)
    return abs(start.x - end.x) + min(by_front, by_back)


def walk(stops: Sequence[Spot], length: float) -> float:
    """Metres from the depot through ``stops`` in the given order and back."""
    if not stops:
        return 0.0
    route = [DEPOT, *stops, DEPOT]
    return round(sum(leg(a, b, length) for a, b in pairwise(route)), 2)
