"""Guessing passwords is slowed per account and per client address: each login attempt takes
a point from both buckets (``api.ratelimits``; on PostgreSQL shared by every worker) and a
successful one gives them back, so only failures count. An account or address out of points
is refused with ``Throttled`` before its password is checked; a point comes back every
``login_throttle_minutes / failures`` minutes.

The point is taken before the password is checked, not after it failed: parallel guesses then
cannot all pass a check that none of them has charged yet.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

from api.errors import Throttled
from api.ratelimits import Budget, Charge, RateLimits, address_key
from api.settings import Settings


@dataclass(frozen=True)
class LoginPolicy:
    per_account: Budget
    per_address: Budget

    @classmethod
    def of(cls, settings: Settings) -> LoginPolicy:
        seconds = settings.login_throttle_minutes * 60
        account, address = settings.login_failures_per_account, settings.login_failures_per_address
        return cls(Budget(account / seconds, account), Budget(address / seconds, address))


@dataclass(frozen=True)
class LoginAttempt:
    """The points one attempt took; ``succeeded`` gives them back."""

    limits: RateLimits
    taken: tuple[tuple[str, Budget], ...]

    async def succeeded(self) -> None:
        for who, budget in self.taken:
            await self.limits.refund(who, 1, budget)


def _account_key(email: str) -> str:
    # A digest: the buckets' table holds no addresses, and every key fits its column.
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:40]
    return f"login:account:{digest}"


async def attempt_login(
    limits: RateLimits, policy: LoginPolicy, *, email: str, client_host: str | None
) -> LoginAttempt:
    """Takes the attempt's points, or raises ``Throttled`` (taking none) when the account or
    the address has none left."""
    buckets = (
        (f"login:{address_key(client_host)}", policy.per_address, "this address"),
        (_account_key(email), policy.per_account, "this account"),
    )
    taken: list[tuple[str, Budget]] = []
    for who, budget, whose in buckets:
        charge: Charge = await limits.charge(who, 1, budget)
        if not charge.allowed:
            await LoginAttempt(limits, tuple(taken)).succeeded()  # the other bucket's point
            raise Throttled(
                f"too many failed logins from {whose}: try again later",
                retry_after=max(1, math.ceil(charge.wait)),
            )
        taken.append((who, budget))
    return LoginAttempt(limits, tuple(taken))
