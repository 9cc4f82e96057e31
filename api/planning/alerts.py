"""Stock alerts: events when a level reaches its reorder point, stocks out, or holds more days
of cover than the overstock threshold; so subscriptions and webhooks learn of them like of any
other change.

Two parts keep them current. ``refresh_plans`` computes every level's outlook (forecast demand,
reorder point) and stores the figures in ``level_plan``: a forecast is worth redoing a few
times a day, not at every sale. ``catch_up`` is a projection of the event log
(``api.events.projections``): for the levels each batch of events names it compares the stock
as it now is with the stored figures. A level whose state changes gets its new state and, when
that state is not NORMAL, an alert event in the same transaction. The state moves by a
conditional update from the state it was read in, so two processes evaluating one level at
once raise one alert.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col

from api.auth import SYSTEM_ACTOR
from api.catalog.models import Sku
from api.db import Database, UnitOfWork
from api.dbtypes import utcnow
from api.events.models import Event
from api.events.projections import follow
from api.events.topics import levels_of
from api.inventory.events import LevelSnapshot
from api.inventory.models import InventoryLevel
from api.planning.events import Overstocked, ReorderPointReached, StockedOut, StockStateReached
from api.planning.models import LevelPlan
from api.planning.plans import PlanningPolicy, level_outlooks
from api.planning.rules import stock_state
from api.planning.statuses import StockState
from api.reads import columns

NAME = "stock-alerts"
BATCH = 1_000
ALERTS: dict[StockState, type[StockStateReached]] = {
    StockState.AT_REORDER_POINT: ReorderPointReached,
    StockState.STOCKED_OUT: StockedOut,
    StockState.OVERSTOCKED: Overstocked,
}


async def refresh_plans(database: Database, policy: PlanningPolicy, today: date) -> int:
    """Recomputes every level's planning figures, then its state; the number of levels. The API
    does so at start and every ``OMS_PLANNING_REFRESH_MINUTES``: forecasts move with days, not
    with single sales."""
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        outlooks = await level_outlooks(await uow.session.connection(), policy, today=today)
        if outlooks:
            now = utcnow()
            rows = [
                {
                    "location_id": outlook.location_id,
                    "sku_id": outlook.sku_id,
                    "daily_demand": outlook.daily_demand,
                    "reorder_point": outlook.replenishment.reorder_point,
                    "computed_at": now,
                    # A level planned for the first time starts in the state it is in: what
                    # it was before is unknown, so it is no crossing to raise an alert for.
                    "stock_state": outlook.stock_state(policy),
                }
                for outlook in outlooks
            ]
            dialect = postgresql if uow.database.engine.dialect.name == "postgresql" else sqlite
            statement = dialect.insert(columns(LevelPlan).sku_id.table)
            await uow.session.execute(
                statement.on_conflict_do_update(
                    index_elements=["location_id", "sku_id"],
                    set_={
                        name: statement.excluded[name]
                        for name in ("daily_demand", "reorder_point", "computed_at")
                    },
                ),
                rows,
            )
            await _evaluate(uow, policy, [(item.location_id, item.sku_id) for item in outlooks])
        await uow.commit()
        return len(outlooks)


async def catch_up(database: Database, policy: PlanningPolicy) -> int:
    """Evaluates the levels named by the events committed since the last batch; the number of
    events read. Alerts are about stock from now on: a history is not raised as alerts."""

    async def evaluate(uow: UnitOfWork, events: list[Event]) -> None:
        await _evaluate(uow, policy, {pair for event in events for pair in levels_of(event)})

    return await follow(database, NAME, Event, evaluate, batch=BATCH, from_the_end=True)


async def _evaluate(
    uow: UnitOfWork, policy: PlanningPolicy, pairs: Iterable[tuple[int, int]]
) -> None:
    chosen = sorted(set(pairs))
    for start in range(0, len(chosen), BATCH):
        await _evaluate_batch(uow, policy, chosen[start : start + BATCH])


async def _evaluate_batch(
    uow: UnitOfWork, policy: PlanningPolicy, pairs: Sequence[tuple[int, int]]
) -> None:
    level, plan = InventoryLevel, LevelPlan
    found = await uow.session.execute(
        select(level, Sku, plan)
        .join(Sku, col(Sku.id) == col(level.sku_id))
        .join(
            plan,
            (col(plan.location_id) == col(level.location_id))
            & (col(plan.sku_id) == col(level.sku_id)),
        )
        .where(tuple_(col(level.location_id), col(level.sku_id)).in_(pairs))
    )
    for stock, sku, figures in found.all():
        state = stock_state(
            available=stock.available,
            incoming=stock.incoming,
            reorder_point=figures.reorder_point,
            daily_demand=figures.daily_demand,
            overstock_days=policy.overstock_days,
        )
        if state == figures.stock_state:
            continue
        moved = await uow.session.execute(
            update(columns(LevelPlan).sku_id.table)
            .where(
                col(plan.location_id) == stock.location_id,
                col(plan.sku_id) == stock.sku_id,
                col(plan.stock_state) == figures.stock_state,
            )
            .values(stock_state=state)
        )
        if not moved.rowcount or state not in ALERTS:  # type: ignore[attr-defined]
            continue
        assert stock.id is not None
        cover = stock.available / figures.daily_demand if figures.daily_demand > 0 else None
        uow.record(
            ALERTS[state](
                level=LevelSnapshot.of(stock, sku),
                previous_state=figures.stock_state,
                reorder_point=round(figures.reorder_point, 2),
                daily_demand=round(figures.daily_demand, 3),
                days_of_cover=None if cover is None else round(cover, 1),
            )
        )
