"""Failed logins are throttled per account and per client address; successes cost nothing."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest

from api.auth import DUMMY_PASSWORD_HASH, SYSTEM_ACTOR, Role, verify_password
from api.db import Database
from api.errors import InvalidCredentials, Throttled
from api.ratelimits import Budget, LocalBuckets, RateLimits, rate_limits_for
from api.users.service import LoginGuard, LoginResult, create_user, login
from api.users.throttle import LoginPolicy
from tests.conftest import TEST_SECRET

PASSWORD = "a-long-password"
POLICY = LoginPolicy(per_account=Budget(3 / 900, 3), per_address=Budget(5 / 900, 5))


async def staff(database: Database, email: str) -> None:
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        await create_user(uow, email=email, password=PASSWORD, role=Role.SUPPORT)


async def attempt(
    database: Database,
    limits: RateLimits,
    email: str,
    password: str = PASSWORD,
    address: str = "198.51.100.1",
) -> LoginResult:
    async with database.unit_of_work("anonymous") as uow:
        return await login(
            uow,
            email=email,
            password=password,
            secret_key=TEST_SECRET,
            lifetime=timedelta(hours=1),
            guard=LoginGuard(limits, POLICY, address),
        )


async def test_an_account_is_throttled_after_its_failures_even_with_the_right_password(
    database: Database,
) -> None:
    await staff(database, "sam@example.com")
    limits = rate_limits_for(database)
    for address in ("198.51.100.1", "198.51.100.2", "198.51.100.3"):
        with pytest.raises(InvalidCredentials):
            await attempt(database, limits, "sam@example.com", "wrong-password", address)
    with pytest.raises(Throttled) as throttled:
        await attempt(database, limits, "Sam@Example.com", address="198.51.100.4")
    assert 1 <= throttled.value.retry_after <= 300, "a point back every 900 s / 3"


async def test_successful_logins_cost_nothing(database: Database) -> None:
    await staff(database, "sam@example.com")
    limits = rate_limits_for(database)
    for _ in range(6):
        assert (await attempt(database, limits, "sam@example.com")).token


async def test_one_address_guessing_across_accounts_is_throttled_and_others_are_not(
    database: Database,
) -> None:
    await staff(database, "sam@example.com")
    limits = rate_limits_for(database)
    for n in range(5):
        with pytest.raises(InvalidCredentials):
            await attempt(database, limits, f"guess{n}@example.com", "wrong-password")
    with pytest.raises(Throttled):
        await attempt(database, limits, "sam@example.com")
    assert await attempt(database, limits, "sam@example.com", address="198.51.100.9")


async def test_a_throttled_address_takes_no_point_of_the_account(database: Database) -> None:
    await staff(database, "sam@example.com")
    limits = LocalBuckets()
    for n in range(5):
        with pytest.raises(InvalidCredentials):
            await attempt(database, limits, f"guess{n}@example.com", "wrong-password")
    for _ in range(4):
        with pytest.raises(Throttled):
            await attempt(database, limits, "sam@example.com", "wrong-password")
    assert await attempt(database, limits, "sam@example.com", address="198.51.100.9")


async def test_the_password_is_checked_off_the_event_loop(database: Database) -> None:
    await staff(database, "sam@example.com")
    limits = rate_limits_for(database)
    gaps: list[float] = []

    async def tick() -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    ticker = asyncio.create_task(tick())
    started = time.perf_counter()
    await attempt(database, limits, "sam@example.com")
    took = time.perf_counter() - started
    ticker.cancel()
    hashing = time.perf_counter()
    verify_password(DUMMY_PASSWORD_HASH, PASSWORD)
    hashing = time.perf_counter() - hashing
    assert took >= hashing * 0.5, "the login did verify a hash"
    assert max(gaps) < hashing * 0.5, "the loop kept running while the hash was verified"


@pytest.mark.postgresql
async def test_parallel_guesses_from_two_workers_share_one_budget(
    pg_database: Database, pg_database_url: str
) -> None:
    await staff(pg_database, "sam@example.com")
    other = Database(pg_database_url, pool_size=10)
    try:
        workers = [rate_limits_for(pg_database), rate_limits_for(other)]
        databases = [pg_database, other]

        async def guess(n: int) -> str:
            try:
                await attempt(
                    databases[n % 2], workers[n % 2], "sam@example.com", "wrong-password",
                    f"198.51.100.{n}",
                )  # fmt: skip
            except InvalidCredentials:
                return "refused"
            except Throttled:
                return "throttled"
            return "in"

        outcomes = await asyncio.gather(*(guess(n) for n in range(20)))
        assert outcomes.count("refused") == 3 and outcomes.count("throttled") == 17
    finally:
        await other.dispose()
