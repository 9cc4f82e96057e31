from __future__ import annotations

import strawberry


@strawberry.type(description="An amount in minor units (cents) of an ISO 4217 currency.")
class Money:
    amount: int
    currency: str
