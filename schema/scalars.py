from __future__ import annotations

from typing import NewType

import strawberry
from strawberry.types.scalar import ScalarDefinition

BigInt = NewType("BigInt", int)
"""A whole number beyond GraphQL's 32-bit Int; see ``SCALARS``."""

SCALARS: dict[object, ScalarDefinition] = {
    BigInt: strawberry.scalar(
        name="BigInt",
        description="A whole number beyond the 32 bits of Int, written as a JSON number (exact "
        "up to 2^53 where JSON numbers are doubles).",
        serialize=int,
        parse_value=int,
    )
}


@strawberry.type(description="An amount in minor units (cents) of an ISO 4217 currency.")
class Money:
    amount: int
    currency: str


@strawberry.type(
    description="A sum of money over many orders or units, in minor units (cents) of an ISO "
    "4217 currency: a BigInt, since such sums pass the 21 million in major units that a 32-bit "
    "Int of cents holds."
)
class MoneyTotal:
    amount: BigInt
    currency: str
