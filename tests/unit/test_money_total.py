"""Sums of money beyond a 32-bit Int of cents are served whole, as JSON numbers."""

from __future__ import annotations

import strawberry
from strawberry.schema.config import StrawberryConfig

from schema.scalars import SCALARS, BigInt, MoneyTotal


@strawberry.type
class Query:
    @strawberry.field
    def revenue(self) -> MoneyTotal:
        return MoneyTotal(amount=BigInt(25_262_936_280), currency="EUR")

    @strawberry.field
    def doubled(self, amount: BigInt) -> BigInt:
        return BigInt(amount * 2)


def test_a_total_beyond_32_bits_is_served_whole_and_taken_as_input() -> None:
    schema = strawberry.Schema(Query, config=StrawberryConfig(scalar_map=SCALARS))
    result = schema.execute_sync(
        "query($big: BigInt!) { revenue { amount currency } doubled(amount: $big) }",
        variable_values={"big": 3_000_000_000},
    )
    assert result.errors is None
    assert result.data == {
        "revenue": {"amount": 25_262_936_280, "currency": "EUR"},
        "doubled": 6_000_000_000,
    }
