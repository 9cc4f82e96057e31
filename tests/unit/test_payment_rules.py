"""Payment rules, invariant 5 and an exchanged return's credit, without a database."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from api.errors import InvalidInput, RefundExceedsCaptured
from api.payments import rules
from api.payments.statuses import PaymentStatus


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


def test_invariant_5_captures_never_pass_the_authorisation() -> None:
    amounts = rules.Amounts(authorized=10_000).capture(6_000).capture(4_000)
    assert amounts.captured == 10_000
    with pytest.raises(InvalidInput) as refused:
        amounts.capture(1)
    assert refused.value.field == ["amount"]
    with pytest.raises(InvalidInput):
        rules.Amounts(authorized=10_000).capture(0)  # a capture of nothing moves no money


def test_invariant_5_refunds_never_pass_the_captures() -> None:
    amounts = rules.Amounts(authorized=10_000, captured=7_000).refund(5_000)
    with pytest.raises(RefundExceedsCaptured) as refused:
        amounts.refund(2_001)
    assert refused.value.data == {"requested": 2_001, "refundable": 2_000}
    assert amounts.refund(2_000).refunded == 7_000


def test_invariant_5_an_authorisation_never_drops_below_what_was_captured() -> None:
    amounts = rules.Amounts(authorized=10_000, captured=4_000)
    assert amounts.reauthorize(12_000).authorized == 12_000
    assert amounts.reauthorize(4_000).authorized == 4_000
    with pytest.raises(InvalidInput):
        amounts.reauthorize(3_999)


def test_invariant_5_holds_after_any_sequence_of_moves() -> None:
    """Every sequence of up to five moves from a small alphabet: each refused move changes
    nothing, and every state reached keeps refunded <= captured <= authorised."""
    moves = [("capture", 3), ("capture", 5), ("refund", 2), ("refund", 6), ("reauthorize", 4)]
    states = [rules.Amounts(authorized=8)]
    for _ in range(5):
        reached = []
        for amounts in states:
            for name, amount in moves:
                try:
                    after = getattr(amounts, name)(amount)
                except (InvalidInput, RefundExceedsCaptured):
                    continue
                assert 0 <= after.refunded <= after.captured <= after.authorized
                reached.append(after)
        states = list(set(reached))
    assert states  # some sequences ran the whole way


def test_the_payment_status_after_each_move() -> None:
    assert rules.status_after_capture(10_000, rules.Amounts(10_000, 4_000)) is (
        PaymentStatus.PARTIALLY_PAID
    )
    assert rules.status_after_capture(10_000, rules.Amounts(4_000, 4_000, credited=6_000)) is (
        PaymentStatus.PAID
    )
    assert rules.status_after_refund(rules.Amounts(10_000, 10_000, 2_500)) is (
        PaymentStatus.PARTIALLY_REFUNDED
    )
    assert rules.status_after_refund(rules.Amounts(10_000, 10_000, 10_000)) is (
        PaymentStatus.REFUNDED
    )


def test_shipments_capture_exactly_the_payable_total_between_them() -> None:
    total, credited = 9_999, 3_333
    amounts = rules.Amounts(authorized=rules.payable(total, credited), credited=credited)
    for last in (False, False, True):
        captured = rules.shipment_capture(3_333, total, amounts, last=last)
        amounts = amounts.capture(captured)
    assert amounts.captured == rules.payable(total, credited) == amounts.authorized


def test_a_shipment_never_captures_beyond_the_authorisation() -> None:
    amounts = rules.Amounts(authorized=5_000, captured=4_500)
    assert rules.shipment_capture(3_000, 10_000, amounts, last=False) == 500
    assert rules.shipment_capture(3_000, 10_000, rules.Amounts(5_000, 5_000), last=True) == 0


def test_only_the_books_write_payment_transactions() -> None:
    api = Path(__file__).resolve().parents[2] / "api"
    writers = set()
    for path in api.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "PaymentTransaction"
            ):
                writers.add(path.relative_to(api).as_posix())
    assert writers == {"payments/books.py"}
