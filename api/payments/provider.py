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
from collections import OrderedDict
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
    """A payment service. Every call that moves or holds money carries an idempotency key
    derived from the command (``api.payments.calls``): the same key again answers what the
    first call did, and moves nothing more."""

    name: str

    async def authorize(
        self, *, amount: int, currency: str, method: str, token: str, idempotency_key: str
    ) -> Authorization:
        """Reserve ``amount`` on the customer's payment method; raise PaymentDeclined/Failed."""

    async def increase_authorization(
        self, *, reference: str, amount: int, idempotency_key: str
    ) -> str:
        """Authorise ``amount`` more on an existing authorisation; raise PaymentDeclined/Failed."""

    async def capture(self, *, reference: str, amount: int, idempotency_key: str) -> str: ...

    async def void(self, *, reference: str, idempotency_key: str) -> None: ...

    async def refund(self, *, reference: str, amount: int, idempotency_key: str) -> str: ...


DECLINES = {
    "tok_chargeDeclined": "card_declined",
    "tok_insufficientFunds": "insufficient_funds",
}


@dataclass(frozen=True)
class Movement:
    """What the test provider did for one idempotency key."""

    kind: str
    reference: str
    amount: int


class TestPaymentProvider:
    """Deterministic outcomes by token; see the module documentation. Idempotent like a real
    provider: a call's reference is worked out from its idempotency key (so that server
    processes, which share no memory, agree), and each key moves money once
    (``movements``, the latest 100,000 kept, for anyone checking what was done)."""

    name = "test"
    __test__ = False  # a payment adapter, not a test case

    def __init__(self) -> None:
        self.movements: OrderedDict[str, Movement] = OrderedDict()

    def _once(self, kind: str, prefix: str, key: str, amount: int) -> str:
        done = self.movements.get(key)
        if done is None:
            digest = hashlib.sha256(f"{kind}:{key}:{amount}".encode()).hexdigest()[:32]
            done = self.movements[key] = Movement(kind, f"{prefix}_{digest}", amount)
            if len(self.movements) > 100_000:
                self.movements.popitem(last=False)
        return done.reference

    def moved(self, kind: str) -> list[Movement]:
        return [movement for movement in self.movements.values() if movement.kind == kind]

    @property
    def voided(self) -> list[str]:
        return [movement.reference for movement in self.moved("void")]

    async def authorize(
        self, *, amount: int, currency: str, method: str, token: str, idempotency_key: str
    ) -> Authorization:
        if token == "tok_processingError":
            raise PaymentFailed("processing_error")
        if token in DECLINES:
            raise PaymentDeclined(DECLINES[token])
        if token not in ("tok_visa", "tok_review"):
            raise PaymentDeclined("invalid_token")
        reference = self._once("authorize", "auth", idempotency_key, amount)
        return Authorization(reference=reference, amount=amount, needs_review=token == "tok_review")

    async def increase_authorization(
        self, *, reference: str, amount: int, idempotency_key: str
    ) -> str:
        # Decided by the reference alone: several server processes share no memory.
        if not reference.startswith("auth_"):
            raise PaymentDeclined("authorization_not_found")
        return self._once("increase", "incr", idempotency_key, amount)

    async def capture(self, *, reference: str, amount: int, idempotency_key: str) -> str:
        return self._once("capture", "capt", idempotency_key, amount)

    async def void(self, *, reference: str, idempotency_key: str) -> None:
        done = self.movements.get(idempotency_key)
        if done is None:
            self.movements[idempotency_key] = Movement("void", reference, 0)

    async def refund(self, *, reference: str, amount: int, idempotency_key: str) -> str:
        return self._once("refund", "rfnd", idempotency_key, amount)
