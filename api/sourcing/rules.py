"""Which locations ship an order: pure decisions over a snapshot of availability.

The order of preference (ARCHITECTURE.md): as few shipments as possible; among plans with as
many shipments, the nearest to the destination (great-circle distance, summed over the
shipments), then the cheapest shipping, then location priority (lower number first). Safety
stock is never sold: a location offers on_hand - reserved - safety_stock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from api.shipping.rates import Point, distance_km, rate
from api.shipping.speeds import ShippingSpeed

# Above this many candidate locations, plans are searched greedily instead of exhaustively.
EXHAUSTIVE_SEARCH_LIMIT = 12


@dataclass(frozen=True)
class Demand:
    sku_id: int
    sku_code: str
    quantity: int
    allow_backorder: bool = False


@dataclass(frozen=True)
class Candidate:
    location_id: int
    code: str
    point: Point
    priority: int
    available: Mapping[int, int]  # sku_id -> units free to sell


@dataclass(frozen=True)
class PlannedAllocation:
    location_id: int
    sku_id: int
    quantity: int
    reason: str


@dataclass(frozen=True)
class Shortage:
    sku_code: str
    requested: int
    available: int


@dataclass
class RoutingPlan:
    allocations: list[PlannedAllocation] = field(default_factory=list)
    backorders: dict[int, int] = field(default_factory=dict)  # sku_id -> units
    shortages: list[Shortage] = field(default_factory=list)
    decision: dict[str, Any] = field(default_factory=dict)

    @property
    def shipments(self) -> set[int]:
        return {allocation.location_id for allocation in self.allocations}


@dataclass(frozen=True)
class _Scored:
    candidate: Candidate
    distance: float
    cost: int
    transit_days: int

    @property
    def preference(self) -> tuple[float, int, int, int]:
        return (self.distance, self.cost, self.candidate.priority, self.candidate.location_id)


def _covers(locations: Sequence[_Scored], demands: Sequence[Demand]) -> bool:
    return all(
        sum(location.candidate.available.get(demand.sku_id, 0) for location in locations)
        >= demand.quantity
        for demand in demands
    )


def _plan_cost(locations: Sequence[_Scored]) -> tuple[float, int, int]:
    return (
        sum(location.distance for location in locations),
        sum(location.cost for location in locations),
        sum(location.candidate.priority for location in locations),
    )


def _holding(scored: list[_Scored], demands: Sequence[Demand]) -> list[_Scored]:
    return [s for s in scored if any(s.candidate.available.get(d.sku_id, 0) > 0 for d in demands)]


def _greedy(scored: list[_Scored], demands: Sequence[Demand], max_shipments: int) -> list[_Scored]:
    """Up to ``max_shipments`` locations, each taking the most units still missing."""
    chosen: list[_Scored] = []
    missing = {d.sku_id: d.quantity for d in demands}
    pool = _holding(scored, demands)
    while any(missing.values()) and len(chosen) < max_shipments and pool:
        best = max(
            pool,
            key=lambda s: (
                sum(min(s.candidate.available.get(k, 0), v) for k, v in missing.items()),
                [-x for x in s.preference],
            ),
        )
        pool.remove(best)
        chosen.append(best)
        for sku_id, units in missing.items():
            missing[sku_id] = units - min(best.candidate.available.get(sku_id, 0), units)
    return chosen


def _choose_locations(
    scored: list[_Scored], demands: Sequence[Demand], max_shipments: int
) -> list[_Scored] | None:
    """The fewest locations that hold every demand, best by distance, cost, priority."""
    holding = _holding(scored, demands)
    if len(holding) > EXHAUSTIVE_SEARCH_LIMIT:
        chosen = _greedy(holding, demands, max_shipments)
        return chosen if _covers(chosen, demands) else None
    for size in range(1, min(max_shipments, len(holding)) + 1):
        plans = [list(plan) for plan in combinations(holding, size) if _covers(plan, demands)]
        if plans:
            return min(plans, key=_plan_cost)
    return None


def _assign(
    locations: list[_Scored], demands: Iterable[Demand], reason: str
) -> list[PlannedAllocation]:
    """Each demand from the nearest chosen location first, spilling to the next."""
    allocations = []
    ordered = sorted(locations, key=lambda s: s.preference)
    for demand in demands:
        left = demand.quantity
        for location in ordered:
            take = min(left, location.candidate.available.get(demand.sku_id, 0))
            if take > 0:
                allocations.append(
                    PlannedAllocation(location.candidate.location_id, demand.sku_id, take, reason)
                )
                left -= take
            if left == 0:
                break
    return allocations


def route(
    demands: Sequence[Demand],
    candidates: Sequence[Candidate],
    destination: Point,
    *,
    speed: ShippingSpeed,
    max_shipments: int,
) -> RoutingPlan:
    scored = []
    for candidate in candidates:
        distance = distance_km(candidate.point, destination)
        shipment = rate(speed, distance)
        scored.append(_Scored(candidate, distance, shipment.price, shipment.transit_days))
    scored.sort(key=lambda s: s.preference)

    plan = RoutingPlan()
    chosen = _choose_locations(scored, demands, max_shipments)
    if chosen is not None:
        reason = (
            "one location holds every line; nearest of those that do"
            if len(chosen) == 1
            else f"no single location holds every line; fewest locations ({len(chosen)})"
        )
        plan.allocations = _assign(chosen, demands, reason)
    else:
        reason = _partial(plan, scored, demands, max_shipments)
    plan.decision = _decision(scored, demands, plan, reason, max_shipments)
    return plan


def _partial(
    plan: RoutingPlan, scored: list[_Scored], demands: Sequence[Demand], max_shipments: int
) -> str:
    """Nothing covers the order within the cap: take what the best locations hold, backorder
    the rest where the SKU allows it, and report the shortage otherwise."""
    plan.allocations = _assign(_greedy(scored, demands, max_shipments), demands, "partly in stock")
    planned: dict[int, int] = {}
    for allocation in plan.allocations:
        planned[allocation.sku_id] = planned.get(allocation.sku_id, 0) + allocation.quantity
    for demand in demands:
        missing = demand.quantity - planned.get(demand.sku_id, 0)
        if missing <= 0:
            continue
        if demand.allow_backorder:
            plan.backorders[demand.sku_id] = missing
        else:
            available = planned.get(demand.sku_id, 0)
            plan.shortages.append(Shortage(demand.sku_code, demand.quantity, available))
    return "not enough stock" if plan.shortages else "backordered what no location holds"


def _decision(
    scored: list[_Scored],
    demands: Sequence[Demand],
    plan: RoutingPlan,
    reason: str,
    max_shipments: int,
) -> dict[str, Any]:
    codes = {d.sku_id: d.sku_code for d in demands}
    chosen = plan.shipments
    return {
        "reason": reason,
        "maxShipments": max_shipments,
        "candidates": [
            {
                "locationId": s.candidate.location_id,
                "code": s.candidate.code,
                "distanceKm": round(s.distance, 1),
                "shippingCost": s.cost,
                "transitDays": s.transit_days,
                "priority": s.candidate.priority,
                "available": {
                    codes[d.sku_id]: s.candidate.available.get(d.sku_id, 0) for d in demands
                },
                "canShipAll": _covers([s], demands),
                "chosen": s.candidate.location_id in chosen,
            }
            for s in scored
        ],
        "allocations": [
            {"locationId": a.location_id, "sku": codes[a.sku_id], "quantity": a.quantity}
            for a in plan.allocations
        ],
        "backorders": {codes[sku_id]: units for sku_id, units in plan.backorders.items()},
    }
