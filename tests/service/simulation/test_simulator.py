from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from api.db import Database
from api.events.models import Event
from api.orders.models import Order
from api.payments.provider import TestPaymentProvider
from api.returns.models import Feedback, Return
from api.shipping.carriers import BUILT_IN
from api.simulation.simulator import ACTOR, Simulator
from api.simulation.world import Odds, World
from tests.invariants import assert_invariants
from tests.service.orders.conftest import Shop

FIRST_DAY = date(2026, 3, 2)  # a Monday: the supplier delivers


async def simulated(database: Database, days: int, orders_per_day: int, seed: int = 7) -> Simulator:
    world = await World.load(database, seed, shoppers=40)
    world.odds = Odds(cancelled=0.1, short_pick=0.05, returned=0.3, feedback=0.5)
    simulator = Simulator(database, world, TestPaymentProvider(), BUILT_IN)
    await simulator.run(FIRST_DAY, days, orders_per_day)
    return simulator


async def test_a_simulated_history_runs_every_stage_and_keeps_the_invariants(
    shop: Shop,
) -> None:
    report = (await simulated(shop.database, days=10, orders_per_day=8)).report
    assert report.days == 10
    assert report.orders_placed > 40 and report.shipments_shipped > 30
    assert report.deliveries > 20 and report.returns > 0 and report.feedback > 0
    assert report.orders_cancelled > 0 and report.short_picks > 0
    await assert_invariants(shop.database)
    async with shop.database.session() as session:
        placed = (
            await session.execute(select(func.min(Order.placed_at), func.max(Order.placed_at)))
        ).one()
        last_event = (
            await session.execute(select(func.max(Event.occurred_at)).where(Event.actor == ACTOR))
        ).scalar_one()
        returns = (await session.execute(select(func.count()).select_from(Return))).scalar_one()
        ratings = (await session.execute(select(func.count()).select_from(Feedback))).scalar_one()
    assert (
        datetime(2026, 3, 2, tzinfo=UTC)
        <= placed[0]
        <= placed[1]
        < datetime(2026, 3, 12, tzinfo=UTC)
    )
    assert last_event < datetime(2026, 3, 12, tzinfo=UTC), "nothing happens after the last day"
    assert (returns, ratings) == (report.returns, report.feedback)


async def test_the_same_seed_draws_the_same_choices(shop: Shop) -> None:
    """Given the same database, the same seed makes the same history: every choice comes from
    the world's own random generator."""

    async def draws(seed: int) -> list[object]:
        world = await World.load(shop.database, seed, shoppers=40)
        day = date(2026, 3, 7)
        return [world.basket(), world.channel(), world.orders_on(day, 50),
                world.moments(day, 3), world.transit_days(), world.shoppers[5]]  # fmt: skip

    assert await draws(3) == await draws(3)
    assert await draws(3) != await draws(4)
