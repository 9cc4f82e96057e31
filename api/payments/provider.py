"""The payment provider interface, and the built-in test provider.

The test provider is a real adapter for a world without outside network: it answers by the
token the customer's checkout produced, and needs no shared memory between server processes.

| token                   | outcome                                              |
|-------------------------|------------------------------------------------------|
| `tok_visa`              | approved                                             |
| `tok_review`            | approved, but the provider asks for a manual review  |
| `tok_chargeDeclined`    | declined (`card_declined`)                           |
| `tok_insufficientFunds` | declined (`insufficient_funds`)                      |
| `tok_processingError`   | the provider failed; retrying later may succeed      |
| anything else           | declined (`invalid_token`)                           |
"""

from __future__ import annotations

import hashlib
import uuid
from collections import deque
from dataclasses import dataclass
from typing import Protocol

from api.errors import DomainError, ErrorCode


class PaymentDeclined(DomainError):
    code = ErrorCode.PAYMENT_DECLINED

    def __init__(self, reason: str) -> None:
        super().__init__(f"the payment was declined: {reason}", field=["payment"], reason=reason)


class PaymentFailed(DomainError):
    """The provider could not answer; nothing was charged and the call may be retried."""

    code = ErrorCode.PAYMENT_FAILED

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"the payment provider failed ({reason}); nothing was charged, try again",
            field=["payment"],
            reason=reason,
        )


@dataclass(frozen=True)
class Authorization:
    reference: str
    amount: int
    needs_review: bool = False


class PaymentProvider(Protocol):
    name: str

    async def authorize(
        self, *, amount: int, currency: str, method: str, token: str, idempotency_key: str
    ) -> Authorization:
        """Reserve ``amount`` on the customer's payment method; raise PaymentDeclined/Failed."""

    async def increase_authorization(self, *, reference: str, amount: int) -> str:
        """Authorise ``amount`` more on an existing authorisation; raise PaymentDeclined/Failed."""

    async def capture(self, *, reference: str, amount: int) -> str: ...

    async def void(self, *, reference: str) -> None: ...

    async def refund(self, *, reference: str, amount: int) -> str: ...


DECLINES = {
    "tok_chargeDeclined": "card_declined",
    "tok_insufficientFunds": "insufficient_funds",
}


class TestPaymentProvider:
    """Deterministic outcomes by token; see the module documentation."""

    name = "test"
    __test__ = False  # a payment adapter, not a test case

    def __init__(self) -> None:
        # The latest voids, for anyone checking what was given back; bounded, never a leak.
        self.voided: deque[str] = deque(maxlen=10_000)

    async def authorize(
        self, *, amount: int, currency: str, method: str, token: str, idempotency_key: str
    ) -> Authorization:
        if token == "tok_processingError":
            raise PaymentFailed("processing_error")
        if token in DECLINES:
            raise PaymentDeclined(DECLINES[token])
        if token not in ("tok_visa", "tok_review"):
            raise PaymentDeclined("invalid_token")
        # Like a real provider's idempotency: the same key and amount give the same
        # authorisation, worked out from them rather than remembered.
        digest = hashlib.sha256(f"{idempotency_key}:{amount}".encode()).hexdigest()[:32]
        return Authorization(
            reference=f"auth_{digest}", amount=amount, needs_review=token == "tok_review"
        )

    async def increase_authorization(self, *, reference: str, amount: int) -> str:
        # Decided by the reference alone: several server processes share no memory.
        if not reference.startswith("auth_"):
            raise PaymentDeclined("authorization_not_found")
        return f"incr_{uuid.uuid4().hex}"

    async def capture(self, *, reference: str, amount: int) -> str:
        return f"capt_{uuid.uuid4().hex}"

    async def void(self, *, reference: str) -> None:
        self.voided.append(reference)

    async def refund(self, *, reference: str, amount: int) -> str:
        return f"rfnd_{uuid.uuid4().hex}"
