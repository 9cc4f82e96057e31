"""Sourcing over a fixed map: Berlin, Hamburg, Munich, Cologne; orders shipped to Potsdam."""

from __future__ import annotations

from api.shipping.rates import Point, rate
from api.shipping.speeds import ShippingSpeed
from api.sourcing.rules import Candidate, Demand, route

BER, HAM, MUC, CGN = 1, 2, 3, 4
POINTS = {
    BER: Point(52.52, 13.405),
    HAM: Point(53.5511, 9.9937),
    MUC: Point(48.1351, 11.582),
    CGN: Point(50.9375, 6.9603),
}
CODES = {BER: "BER", HAM: "HAM", MUC: "MUC", CGN: "CGN"}
POTSDAM = Point(52.3906, 13.0645)
A = Demand(sku_id=10, sku_code="A", quantity=2)
B = Demand(sku_id=20, sku_code="B", quantity=1)
C = Demand(sku_id=30, sku_code="C", quantity=1)


def stock(**holdings: dict[int, int]) -> list[Candidate]:
    ids = {"BER": BER, "HAM": HAM, "MUC": MUC, "CGN": CGN}
    return [
        Candidate(ids[code], code, POINTS[ids[code]], priority=ids[code], available=available)
        for code, available in holdings.items()
    ]


def placed(plan) -> set[tuple[str, int, int]]:  # type: ignore[no-untyped-def]
    return {(CODES[a.location_id], a.sku_id, a.quantity) for a in plan.allocations}


def test_nearest_location_that_holds_everything_wins() -> None:
    everything = {10: 5, 20: 5}
    plan = route(
        [A, B],
        stock(MUC=everything, HAM=everything, BER=everything),
        POTSDAM,
        speed=ShippingSpeed.STANDARD,
        max_shipments=3,
    )
    assert placed(plan) == {("BER", 10, 2), ("BER", 20, 1)}
    assert plan.decision["reason"].startswith("one location")
    chosen = [c["code"] for c in plan.decision["candidates"] if c["chosen"]]
    assert chosen == ["BER"]
    assert [c["code"] for c in plan.decision["candidates"]] == ["BER", "HAM", "MUC"]


def test_one_location_beats_a_nearer_split() -> None:
    plan = route(
        [A, B],
        stock(BER={10: 5}, HAM={10: 5, 20: 5}),
        POTSDAM,
        speed=ShippingSpeed.STANDARD,
        max_shipments=3,
    )
    assert placed(plan) == {("HAM", 10, 2), ("HAM", 20, 1)}


def test_split_when_no_location_holds_everything() -> None:
    plan = route(
        [A, B],
        stock(BER={10: 5}, MUC={20: 1}, HAM={20: 3}),
        POTSDAM,
        speed=ShippingSpeed.STANDARD,
        max_shipments=3,
    )
    assert placed(plan) == {("BER", 10, 2), ("HAM", 20, 1)}
    assert "fewest locations (2)" in plan.decision["reason"]


def test_one_line_spills_over_two_locations_nearest_first() -> None:
    plan = route(
        [Demand(10, "A", 5)],
        stock(BER={10: 3}, HAM={10: 3}),
        POTSDAM,
        speed=ShippingSpeed.STANDARD,
        max_shipments=3,
    )
    assert placed(plan) == {("BER", 10, 3), ("HAM", 10, 2)}


def test_the_shipment_cap_is_respected() -> None:
    plan = route(
        [A, B, C],
        stock(BER={10: 5}, MUC={20: 5}, CGN={30: 5}),
        POTSDAM,
        speed=ShippingSpeed.STANDARD,
        max_shipments=2,
    )
    assert len(plan.shipments) == 2
    assert len(plan.shortages) == 1 and plan.shortages[0].sku_code in {"B", "C"}


def test_shortage_names_the_sku_and_what_is_available() -> None:
    plan = route(
        [Demand(10, "A", 9)],
        stock(BER={10: 3}, HAM={10: 2}),
        POTSDAM,
        speed=ShippingSpeed.STANDARD,
        max_shipments=3,
    )
    assert [(s.sku_code, s.requested, s.available) for s in plan.shortages] == [("A", 9, 5)]


def test_backorderable_skus_take_what_exists_and_backorder_the_rest() -> None:
    plan = route(
        [Demand(10, "A", 4, allow_backorder=True)],
        stock(BER={10: 1}),
        POTSDAM,
        speed=ShippingSpeed.STANDARD,
        max_shipments=3,
    )
    assert placed(plan) == {("BER", 10, 1)}
    assert plan.backorders == {10: 3} and plan.shortages == []
    assert plan.decision["backorders"] == {"A": 3}


def test_priority_breaks_ties_between_equal_locations() -> None:
    same_place = POINTS[BER]
    candidates = [
        Candidate(7, "SECOND", same_place, priority=2, available={10: 5}),
        Candidate(8, "FIRST", same_place, priority=1, available={10: 5}),
    ]
    plan = route([A], candidates, POTSDAM, speed=ShippingSpeed.STANDARD, max_shipments=1)
    assert {a.location_id for a in plan.allocations} == {8}


def test_rates_grow_with_distance_and_speed() -> None:
    assert rate(ShippingSpeed.STANDARD, 20).price < rate(ShippingSpeed.STANDARD, 600).price
    assert rate(ShippingSpeed.STANDARD, 20).price < rate(ShippingSpeed.EXPRESS, 20).price
    assert (
        rate(ShippingSpeed.EXPRESS, 2000).transit_days
        < rate(ShippingSpeed.STANDARD, 2000).transit_days
    )
