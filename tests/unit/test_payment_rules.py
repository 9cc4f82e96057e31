"""Payment rules beside an exchanged return's credit, without a database."""

from __future__ import annotations

import pytest

from api.errors import InvalidInput
from api.payments import rules


def test_the_credit_pays_its_part_and_never_more_than_the_total() -> None:
    assert rules.payable(10_000, 0) == 10_000
    assert rules.payable(10_000, 6_000) == 4_000
    assert rules.payable(10_000, 12_000) == 0


def test_an_order_is_paid_by_captures_and_credit_together() -> None:
    assert rules.is_paid(10_000, 4_000, 6_000)
    assert not rules.is_paid(10_000, 3_999, 6_000)
    assert rules.is_paid(10_000, 0, 10_000)


def test_each_shipment_captures_its_share_of_what_is_payable() -> None:
    assert rules.capture_share(5_000, 10_000, 0) == 5_000
    assert rules.capture_share(5_000, 10_000, 6_000) == 2_000
    assert rules.capture_share(5_000, 10_000, 10_000) == 0
    shares = [rules.capture_share(due, 9_999, 3_333) for due in (3_333, 3_333, 3_333)]
    assert sum(shares) <= rules.payable(9_999, 3_333)  # the last shipment takes the rest


def test_a_total_below_the_credit_is_refused() -> None:
    rules.require_credit_covered(6_000, 6_000, "#1001")
    with pytest.raises(InvalidInput, match="paid 6000 by its exchanged return's credit"):
        rules.require_credit_covered(5_999, 6_000, "#1001")
