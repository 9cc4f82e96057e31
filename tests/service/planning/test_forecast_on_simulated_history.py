"""The forecast on a simulated history (orders through the real services, weekday and weekend
rhythms, cancellations, short picks): its held-out error beats the last-value forecast's."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from api.catalog.models import Sku
from api.db import Database
from api.planning.service import demand_forecast
from tests.service.orders.conftest import make_shop
from tests.service.simulation.test_simulator import FIRST_DAY, simulated

DAYS = 49


async def test_the_chosen_forecast_beats_the_last_value_on_a_simulated_history(
    pg_database: Database,
) -> None:
    await make_shop(pg_database)
    await simulated(pg_database, days=DAYS, orders_per_day=10)
    last_day = FIRST_DAY + timedelta(days=DAYS - 1)
    async with pg_database.session() as session:
        codes = (await session.execute(select(Sku.code))).scalars().all()
        results = [
            await demand_forecast(
                session, sku_code=code, location_id=None, days=7, history_days=DAYS, today=last_day
            )
            for code in codes
        ]
    selling = [result for result in results if sum(result.history) > DAYS / 2]
    assert len(selling) >= 2
    errors = [(result.forecast.mae, result.forecast.naive_mae) for result in selling]
    assert all(mae is not None and naive is not None for mae, naive in errors)
    assert all(mae < naive for mae, naive in errors)  # type: ignore[operator]
    assert sum(mae for mae, _ in errors) < 0.9 * sum(naive for _, naive in errors)  # type: ignore[misc]
