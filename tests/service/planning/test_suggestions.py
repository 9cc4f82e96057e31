"""Replenishment and rebalancing suggestions on a hand-built history with known numbers, the
actions that turn them into a purchase order or a transfer, and the stock alerts."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from api.auth import SYSTEM_ACTOR
from api.db import Database
from api.dbtypes import simulated_time
from api.errors import NoSuggestion, NotFound
from api.events.models import Event, EventType
from api.inventory.models import Transfer
from api.inventory.service import set_safety_stock
from api.locations.models import Location
from api.planning import alerts
from api.planning.actions import order_suggested, transfer_suggested
from api.planning.models import LevelPlan
from api.planning.plans import (
    LevelOutlook,
    PlanningPolicy,
    level_outlooks,
    rebalancing_suggestions,
    replenishment_suggestions,
)
from api.planning.statuses import LeadTimeSource, StockState
from api.purchasing import service as purchasing
from api.purchasing.models import PurchaseOrder, PurchaseOrderLine
from api.purchasing.service import PurchaseLine
from api.purchasing.statuses import PurchaseOrderStatus
from tests.factories import receive
from tests.service.fulfilment.conftest import Warehouse

TODAY = date(2026, 3, 20)
STAFF = "staff:1"
POLICY = PlanningPolicy(
    service_level=0.95, review_days=7, history_days=28, default_lead_time_days=10,
    overstock_days=60, short_days=7, target_days=28,
)  # fmt: skip


def at(days_ago: int, hour: int = 10) -> datetime:
    return datetime.combine(TODAY - timedelta(days=days_ago), time(hour), UTC)


async def sell_daily(warehouse: Warehouse, sku: str, days: int) -> None:
    """One unit of the SKU a day, on each of the last ``days`` days up to today, held for the
    orders (held units are demand on the day the order was placed)."""
    for days_ago in range(days - 1, -1, -1):
        with simulated_time(at(days_ago)):
            await warehouse.place((sku, 1), email=f"buyer{days_ago}@example.com")


async def acme_sells_s1(database: Database, *, lead_time_days: int = 5) -> None:
    async with database.unit_of_work(STAFF) as uow:
        await purchasing.create_supplier(
            uow, code="ACME", name="Acme", lead_time_days=lead_time_days
        )
    async with database.unit_of_work(STAFF) as uow:
        await purchasing.set_supplier_sku(
            uow, supplier_code="ACME", sku_code="S1", pack_size=6, unit_cost=250
        )


async def outlooks(database: Database) -> dict[tuple[int, str], LevelOutlook]:
    async with database.reader() as reader:
        found = await level_outlooks(reader, POLICY, today=TODAY)
    return {(outlook.location_id, outlook.sku_code): outlook for outlook in found}


async def test_a_steady_seller_below_its_reorder_point_is_suggested_in_whole_packs(
    warehouse: Warehouse,
) -> None:
    await receive(warehouse.database, warehouse.berlin, "S1", 20)  # 30 on hand
    await acme_sells_s1(warehouse.database)
    await sell_daily(warehouse, "S1", 28)  # 1 a day for 28 days: 2 left available

    found = await outlooks(warehouse.database)
    s1 = found[(warehouse.berlin.id, "S1")]
    # A constant 1 a day forecasts 1 a day with no error, so no safety stock: the reorder point
    # is the 5 days of lead time; the position of 2 is below it; order up to 5 + 7 review days.
    assert (s1.lead_time.days, s1.lead_time.source) == (5, LeadTimeSource.QUOTED)
    assert s1.daily_demand == pytest.approx(1.0)
    assert s1.replenishment.safety_stock == pytest.approx(0.0)
    assert s1.replenishment.reorder_point == pytest.approx(5.0)
    assert (s1.available, s1.replenishment.position) == (2, 2)
    assert s1.replenishment.quantity == 12  # 10 wanted, in packs of 6
    assert s1.days_of_cover == pytest.approx(2.0)
    assert s1.supplier is not None and (s1.supplier.supplier_code, s1.supplier.unit_cost) == (
        "ACME",
        250,
    )
    s2 = found[(warehouse.berlin.id, "S2")]
    assert (s2.daily_demand, s2.replenishment.quantity, s2.supplier) == (0.0, 0, None)
    assert s2.lead_time.source == LeadTimeSource.DEFAULT
    assert [outlook.sku_code for outlook in replenishment_suggestions(list(found.values()))] == [
        "S1"
    ]


async def test_lead_times_observed_on_received_purchase_orders_replace_the_quote(
    warehouse: Warehouse,
) -> None:
    await acme_sells_s1(warehouse.database, lead_time_days=5)
    for week in (1, 2, 3):
        with simulated_time(at(7 * week + 3)):
            async with warehouse.database.unit_of_work(STAFF) as uow:
                order = await purchasing.create_purchase_order(
                    uow, supplier_code="ACME", location_id=warehouse.berlin.id,
                    lines=[PurchaseLine("S1", 6, 250)],
                )  # fmt: skip
            async with warehouse.database.unit_of_work(STAFF) as uow:
                await purchasing.order_purchase_order(uow, purchase_order_id=order.id)
        with simulated_time(at(7 * week + 3 - week - 1)):  # 2, 3 and 4 days later
            async with warehouse.database.unit_of_work(STAFF) as uow:
                await purchasing.receive_purchase_order(
                    uow,
                    purchase_order_id=order.id,
                    lines=None,
                )
    s1 = (await outlooks(warehouse.database))[(warehouse.berlin.id, "S1")]
    assert (s1.lead_time.days, s1.lead_time.source) == (3, LeadTimeSource.OBSERVED)


async def order_from(
    warehouse: Warehouse, supplier: str, skus: list[str] | None = None
) -> PurchaseOrder:
    async with warehouse.database.unit_of_work(STAFF) as uow:
        return await order_suggested(
            uow,
            POLICY,
            location_id=warehouse.berlin.id,
            supplier_code=supplier,
            sku_codes=skus,
            today=TODAY,
        )


async def test_ordering_a_suggestion_drafts_one_purchase_order_and_then_it_is_done(
    warehouse: Warehouse,
) -> None:
    await receive(warehouse.database, warehouse.berlin, "S1", 20)
    await acme_sells_s1(warehouse.database)
    await sell_daily(warehouse, "S1", 28)

    with pytest.raises(NoSuggestion) as refused:
        await order_from(warehouse, "ACME", ["S2"])
    assert refused.value.field == ["skus"]
    with pytest.raises(NotFound):
        await order_from(warehouse, "NOPE")
    assert await count(warehouse.database, PurchaseOrder) == 0

    order = await order_from(warehouse, "ACME")
    assert order.status == PurchaseOrderStatus.DRAFT
    async with warehouse.database.session() as session:
        lines = (await session.execute(select(PurchaseOrderLine))).scalars().all()
    assert [(line.quantity, line.unit_cost) for line in lines] == [(12, 250)]

    # The draft's units count as decided: nothing more is suggested, a second click orders none.
    s1 = (await outlooks(warehouse.database))[(warehouse.berlin.id, "S1")]
    assert (s1.drafted, s1.replenishment.position, s1.replenishment.quantity) == (12, 14, 0)
    with pytest.raises(NoSuggestion):
        await order_from(warehouse, "ACME")
    assert await count(warehouse.database, PurchaseOrder) == 1


async def munich_short_of_s3(warehouse: Warehouse) -> None:
    """Munich sells 1 S3 a day and has 2 left; Berlin has 10 and sells none of them (its S3 was
    held back as safety stock while Munich sold)."""
    await receive(warehouse.database, warehouse.munich, "S3", 16)
    async with warehouse.database.unit_of_work(STAFF) as uow:
        await set_safety_stock(uow, location_id=warehouse.berlin.id, sku_code="S3", quantity=10)
    await sell_daily(warehouse, "S3", 14)
    async with warehouse.database.unit_of_work(STAFF) as uow:
        await set_safety_stock(uow, location_id=warehouse.berlin.id, sku_code="S3", quantity=0)


async def transfer_s3(warehouse: Warehouse, source: Location, target: Location) -> Transfer:
    async with warehouse.database.unit_of_work(STAFF) as uow:
        return await transfer_suggested(
            uow,
            POLICY,
            sku_code="S3",
            today=TODAY,
            from_location_id=source.id,
            to_location_id=target.id,
        )


async def test_a_short_location_is_topped_up_from_one_with_days_to_spare(
    warehouse: Warehouse,
) -> None:
    await munich_short_of_s3(warehouse)
    found = await outlooks(warehouse.database)
    (suggestion,) = rebalancing_suggestions(list(found.values()), POLICY)
    # Munich has sold 1 a day for the last 14 days, forecast to go on: its 2 units cover 2
    # days, under 7; bringing it to 28 days needs 26, and Berlin (no demand) spares all its 10.
    assert (suggestion.sku_code, suggestion.quantity) == ("S3", 10)
    assert suggestion.source.location_id == warehouse.berlin.id
    assert suggestion.target.location_id == warehouse.munich.id
    assert suggestion.target.daily_demand == pytest.approx(1.0, abs=0.05)
    assert suggestion.target.days_of_cover == pytest.approx(2.0, abs=0.1)
    assert suggestion.days_of_cover_after()[1] == pytest.approx(12.0, abs=0.6)

    with pytest.raises(NoSuggestion):
        await transfer_s3(warehouse, warehouse.munich, warehouse.berlin)
    assert (await transfer_s3(warehouse, warehouse.berlin, warehouse.munich)).quantity == 10
    # Munich's incoming now counts toward its cover: nothing more to move.
    assert (
        rebalancing_suggestions(list((await outlooks(warehouse.database)).values()), POLICY) == []
    )
    with pytest.raises(NoSuggestion):
        await transfer_s3(warehouse, warehouse.berlin, warehouse.munich)
    assert await count(warehouse.database, Transfer) == 1


async def alert_events(database: Database) -> list[tuple[str, int, str]]:
    async with database.session() as session:
        found = await session.execute(
            select(Event.type, Event.payload)
            .where(Event.type.in_([alert.type.value for alert in alerts.ALERTS.values()]))
            .order_by(Event.id)
        )
        return [(type_, payload["level"]["locationId"], payload["level"]["sku"])
                for type_, payload in found.all()]  # fmt: skip


async def plan_state(database: Database, sku_id: int) -> str:
    async with database.session() as session:
        found = await session.execute(
            select(LevelPlan.stock_state).where(LevelPlan.sku_id == sku_id)
        )
        return found.scalar_one()


async def test_levels_crossing_their_reorder_point_or_running_out_raise_one_alert_each(
    warehouse: Warehouse,
) -> None:
    await receive(warehouse.database, warehouse.berlin, "S1", 20)
    await acme_sells_s1(warehouse.database)
    await alerts.catch_up(warehouse.database, POLICY)  # starts at the log's end
    await sell_daily(warehouse, "S1", 20)  # 10 left at about 1 a day; 5 days' lead time
    assert await alerts.refresh_plans(warehouse.database, POLICY, TODAY) == 4
    assert await plan_state(warehouse.database, 1) == StockState.NORMAL

    berlin = warehouse.berlin.id
    for index in range(6):
        await warehouse.place(("S1", 1), email=f"now{index}@example.com")
    await alerts.catch_up(warehouse.database, POLICY)
    assert await alert_events(warehouse.database) == [
        (EventType.INVENTORY_REORDER_POINT_REACHED, berlin, "S1")
    ]
    # Refreshing again, or reading the same events again, raises nothing new.
    await alerts.refresh_plans(warehouse.database, POLICY, TODAY)
    await alerts.catch_up(warehouse.database, POLICY)
    assert len(await alert_events(warehouse.database)) == 1

    for index in range(4):
        await warehouse.place(("S1", 1), email=f"late{index}@example.com")
    await alerts.catch_up(warehouse.database, POLICY)
    assert await alert_events(warehouse.database) == [
        (EventType.INVENTORY_REORDER_POINT_REACHED, berlin, "S1"),
        (EventType.INVENTORY_STOCKED_OUT, berlin, "S1"),
    ]
    assert await plan_state(warehouse.database, 1) == StockState.STOCKED_OUT

    # Restocked far beyond the overstock threshold of 60 days at about 1 a day.
    await receive(warehouse.database, warehouse.berlin, "S1", 100)
    await alerts.catch_up(warehouse.database, POLICY)
    assert (await alert_events(warehouse.database))[-1] == (
        EventType.INVENTORY_OVERSTOCKED,
        berlin,
        "S1",
    )


async def test_a_level_planned_the_first_time_starts_in_its_state_without_an_alert(
    warehouse: Warehouse,
) -> None:
    await receive(warehouse.database, warehouse.berlin, "S1", 20)
    await sell_daily(warehouse, "S1", 26)  # 4 left, within the default 10 days' lead time
    await alerts.refresh_plans(warehouse.database, POLICY, TODAY)
    assert await plan_state(warehouse.database, 1) == StockState.AT_REORDER_POINT
    assert await alert_events(warehouse.database) == []


async def count(database: Database, table: type) -> int:
    async with database.session() as session:
        return (await session.execute(select(func.count()).select_from(table))).scalar_one()


async def test_alerts_start_from_the_log_end_the_first_time(warehouse: Warehouse) -> None:
    await sell_daily(warehouse, "S2", 3)
    assert await alerts.catch_up(warehouse.database, POLICY) == 0
    async with warehouse.database.unit_of_work(SYSTEM_ACTOR) as uow:
        await set_safety_stock(uow, location_id=warehouse.berlin.id, sku_code="S2", quantity=1)
    assert await alerts.catch_up(warehouse.database, POLICY) == 1
