"""Walking distances on a fixed layout, computed by hand."""

from __future__ import annotations

from api.fulfilment.rules import Spot, aisle_length, walk

# Aisles 3 m apart, bays 1.5 m apart; the deepest bin is in bay 5, so the aisles are 9 m long.
A, B, C, D = Spot(1, 2), Spot(1, 5), Spot(2, 5), Spot(2, 1)
LENGTH = aisle_length([A, B, C, D])


def test_aisles_end_one_bay_beyond_the_deepest_bin() -> None:
    assert LENGTH == 9.0


def test_one_walk_up_aisle_1_and_down_aisle_2() -> None:
    # depot -> A: 3 across + 3 up;  A -> B: 4.5 up;  B -> C: 3 across the back + 1.5 + 1.5;
    # C -> D: 6 down;  D -> depot: 6 across the front + 1.5
    assert walk([A, B, C, D], LENGTH) == 6 + 4.5 + 6 + 6 + 7.5


def test_order_by_order_walks_twice_as_far_on_this_layout() -> None:
    first_order = walk([A, C], LENGTH)  # 6 + (3 + 7.5 via the back) + (6 + 7.5 via the front)
    second_order = walk([B, D], LENGTH)  # (3 + 7.5) + (3 + 9) + 7.5
    assert (first_order, second_order) == (30.0, 30.0)
    assert first_order + second_order == 2 * walk([A, B, C, D], LENGTH)


def test_nothing_to_pick_is_no_walk() -> None:
    assert walk([], LENGTH) == 0.0
