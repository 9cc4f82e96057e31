"""Demand read from what shipped and what is held for orders, day by day, and forecast."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from api.dbtypes import simulated_time
from api.errors import InvalidInput, NotFound
from api.orders.changes import cancel_order
from api.payments.provider import TestPaymentProvider
from api.planning.service import demand_forecast
from tests.service.fulfilment.conftest import Warehouse
from tests.service.fulfilment.test_shipping import pack, picked, ship

TODAY = date(2026, 3, 20)


def at(days_ago: int, hour: int = 10) -> datetime:
    return datetime.combine(TODAY - timedelta(days=days_ago), time(hour), UTC)


async def test_a_day_counts_what_shipped_then_and_what_orders_placed_then_still_hold(
    warehouse: Warehouse,
) -> None:
    with simulated_time(at(3)):
        await warehouse.place(("S1", 2))
    with simulated_time(at(2)):
        for shipment in await picked(warehouse, warehouse.berlin.id):  # type: ignore[arg-type]
            await pack(warehouse.database, shipment.id)  # type: ignore[arg-type]
            await ship(warehouse.database, shipment.id)  # type: ignore[arg-type]
    with simulated_time(at(1)):
        await warehouse.place(("S1", 3))
        cancelled = await warehouse.place(("S1", 4), email="bo@example.com")
        async with warehouse.database.unit_of_work("staff:1") as uow:
            await cancel_order(
                uow, TestPaymentProvider(), order_id=cancelled.order.id, reason="changed mind"
            )  # type: ignore[arg-type]

    async with warehouse.database.session() as session:
        berlin = await demand_forecast(session, sku_code="S1", location_id=warehouse.berlin.id,
                                       days=7, history_days=5, today=TODAY)  # fmt: skip
        shop = await demand_forecast(session, sku_code="S1", location_id=None, days=7,
                                     history_days=5, today=TODAY)  # fmt: skip
        munich = await demand_forecast(session, sku_code="S1", location_id=warehouse.munich.id,
                                       days=7, history_days=5, today=TODAY)  # fmt: skip
    assert berlin.first_day == TODAY - timedelta(days=4)
    # 4 and 3 days ago nothing (the first order shipped 2 days ago), 1 day ago 3 held units.
    assert berlin.history == [0, 0, 2, 3, 0]
    assert shop.history == [0, 0, 2, 3, 0]
    assert munich.history == [0, 0, 0, 0, 0]
    assert len(berlin.forecast.daily) == 7
    assert berlin.forecast.method == "mean"  # five days are too few to hold any back
    assert sum(berlin.forecast.daily) == pytest.approx(7.0)


async def test_unknown_skus_locations_and_bad_horizons_are_refused(warehouse: Warehouse) -> None:
    async with warehouse.database.session() as session:
        with pytest.raises(NotFound):
            await demand_forecast(session, sku_code="NOPE", location_id=None, days=7,
                                  history_days=28, today=TODAY)  # fmt: skip
        with pytest.raises(NotFound):
            await demand_forecast(session, sku_code="S1", location_id=999_999, days=7,
                                  history_days=28, today=TODAY)  # fmt: skip
        for days, history_days in ((0, 28), (400, 28), (7, 0), (7, 1000)):
            with pytest.raises(InvalidInput):
                await demand_forecast(session, sku_code="S1", location_id=None, days=days,
                                      history_days=history_days, today=TODAY)  # fmt: skip
