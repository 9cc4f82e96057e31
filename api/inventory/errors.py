from __future__ import annotations

from api.errors import DomainError, ErrorCode


class InsufficientStock(DomainError):
    code = ErrorCode.INSUFFICIENT_STOCK

    def __init__(
        self, sku: str, requested: int, available: int, *, field: list[str] | None = None
    ) -> None:
        super().__init__(
            f"only {available} of {sku} available, {requested} requested",
            field=field or ["quantity"],
            sku=sku,
            requested=requested,
            available=available,
        )


class StaleVersion(DomainError):
    code = ErrorCode.STALE_VERSION

    def __init__(self, expected: int, actual: int) -> None:
        super().__init__(
            f"on hand is {actual}, not the expected {expected}: reload and try again",
            field=["expectedOnHand"],
            expected=expected,
            actual=actual,
        )
