from __future__ import annotations

import pytest

from api.errors import InvalidInput
from api.inventory.models import InventoryLevel
from api.inventory.rules import InventoryState, free_to_move, state_move
from api.inventory.statuses import InventoryBucket
from api.locations.service import default_pick_sequence


def test_state_move_takes_from_one_bucket_and_adds_to_another() -> None:
    assert state_move(InventoryState.AVAILABLE, InventoryState.DAMAGED, 3) == {
        InventoryBucket.ON_HAND: -3,
        InventoryBucket.DAMAGED: 3,
    }
    assert state_move(InventoryState.QUALITY_CONTROL, InventoryState.AVAILABLE, 2) == {
        InventoryBucket.QUALITY_CONTROL: -2,
        InventoryBucket.ON_HAND: 2,
    }


def test_state_move_to_the_same_state_is_invalid() -> None:
    with pytest.raises(InvalidInput):
        state_move(InventoryState.DAMAGED, InventoryState.DAMAGED, 1)


def test_free_to_move_ignores_safety_stock_but_never_breaks_reservations() -> None:
    assert free_to_move(on_hand=10, reserved=4) == 6
    assert free_to_move(on_hand=3, reserved=3) == 0


def test_available_subtracts_reservations_and_safety_stock_and_stops_at_zero() -> None:
    assert (
        InventoryLevel(location_id=1, sku_id=1, on_hand=10, reserved=3, safety_stock=2).available
        == 5
    )
    assert (
        InventoryLevel(location_id=1, sku_id=1, on_hand=3, reserved=2, safety_stock=5).available
        == 0
    )


def test_default_pick_sequence_walks_aisles_as_a_serpentine() -> None:
    up_aisle_one = [default_pick_sequence(1, bay, 0) for bay in (1, 2, 3)]
    down_aisle_two = [default_pick_sequence(2, bay, 0) for bay in (3, 2, 1)]
    assert up_aisle_one == sorted(up_aisle_one)
    assert down_aisle_two == sorted(down_aisle_two)
    assert max(up_aisle_one) < min(down_aisle_two)
