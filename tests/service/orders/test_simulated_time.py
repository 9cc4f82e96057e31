from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from api.dbtypes import simulated_time, utcnow
from api.events.models import Event
from api.inventory.models import InventoryMovement
from tests.service.orders.conftest import Shop

MOMENT = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)


async def test_commands_in_simulated_time_stamp_its_moment_everywhere(shop: Shop) -> None:
    with simulated_time(MOMENT.astimezone(timezone(timedelta(hours=1)))):
        placed = await shop.place(("TEE-M", 1))
    assert placed.order.placed_at == MOMENT
    assert placed.order.promised_at is not None and placed.order.promised_at > MOMENT
    async with shop.database.session() as session:
        events = (await session.execute(select(Event).order_by(Event.id.desc()))).scalars()
        movements = (
            await session.execute(select(InventoryMovement).order_by(InventoryMovement.id.desc()))
        ).scalars()
        assert next(iter(events)).occurred_at == MOMENT
        assert next(iter(movements)).created_at == MOMENT
    assert utcnow() - datetime.now(UTC) < timedelta(seconds=1), "the real clock outside"


def test_a_simulated_moment_needs_a_time_zone() -> None:
    with pytest.raises(ValueError, match="time zone"), simulated_time(datetime(2026, 1, 1)):
        pass
