"""Pure fulfilment rules: the lifecycles of pick lists and tasks, and how far a picker walks.

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

from api.fulfilment.statuses import PickListStatus, PickTaskStatus
from api.lifecycle import Lifecycle

PICK_LIST = Lifecycle(
    "pick list",
    "pickListId",
    {
        PickListStatus.OPEN: frozenset({PickListStatus.COMPLETED}),
        PickListStatus.COMPLETED: frozenset(),
    },
    initial=frozenset({PickListStatus.OPEN}),
)

PICK_TASK = Lifecycle(
    "pick task",
    "taskId",
    {
        PickTaskStatus.OPEN: frozenset({PickTaskStatus.PICKED, PickTaskStatus.SHORT}),
        PickTaskStatus.PICKED: frozenset(),
        PickTaskStatus.SHORT: frozenset(),
    },
    initial=frozenset({PickTaskStatus.OPEN}),
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
