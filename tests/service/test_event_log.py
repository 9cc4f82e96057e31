"""The event log read by position: paging, type filters, cursors."""

from __future__ import annotations

import base64

import pytest

from api.auth import SYSTEM_ACTOR
from api.channels.events import ChannelCreated
from api.db import Database
from api.errors import InvalidInput
from api.events.log import START, LogPosition, decode_position, read_log
from api.events.models import EventType
from api.inventory.events import LevelHeld
from api.orders.events import OrderLinesCancelled
from tests.factories import TEST_SECRET, make_location, make_product, receive


async def test_the_log_pages_from_a_position_without_gaps_or_repeats(database: Database) -> None:
    location = await make_location(database, "BER")
    await make_product(database, "A", "B")
    for quantity in (1, 2, 3):
        await receive(database, location, "A", quantity)
    async with database.reader() as reader:
        everything = await read_log(reader, limit=1000)
        pages, position = [], START
        while page := await read_log(reader, position, limit=2):
            pages.append(page)
            position = LogPosition.of(page[-1])
    assert [event.id for page in pages for event in page] == [event.id for event in everything]
    assert all(len(page) <= 2 for page in pages)
    assert [event.type for event in everything][-3:] == [EventType.INVENTORY_RECEIVED] * 3


async def test_the_log_filters_by_type(database: Database) -> None:
    location = await make_location(database, "BER")
    await make_product(database, "A")
    await receive(database, location, "A", 5)
    async with database.reader() as reader:
        received = await read_log(reader, types=[EventType.INVENTORY_RECEIVED.value])
        created = await read_log(reader, types=[EventType.LOCATION_CREATED.value])
    assert [event.type for event in received] == [EventType.INVENTORY_RECEIVED]
    assert [event.aggregate_id for event in created] == [location.id]


def test_a_position_survives_its_cursor_and_a_bad_cursor_is_a_typed_error() -> None:
    position = LogPosition(123456789, 42)
    assert decode_position(position.encode(TEST_SECRET), TEST_SECRET) == position
    crafted = base64.urlsafe_b64encode(b"event:-1:0").decode()
    forged = base64.urlsafe_b64encode(b"event:-1:0:" + b"0" * 24).decode()
    elsewhere = LogPosition(-1, 0).encode("another-secret-key-0123456789abcdef")
    for bad in ("", "not base64!", LogPosition(1, 2).encode(TEST_SECRET)[:-4],
                "Y3Vyc29yOjE=", crafted, forged, elsewhere):  # fmt: skip
        with pytest.raises(InvalidInput) as raised:
            decode_position(bad, TEST_SECRET)
        assert raised.value.field == ["after"]


async def test_a_level_change_no_event_lists_gets_an_event_of_its_own(database: Database) -> None:
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        uow.level_changed(11, 1, 2)
        uow.level_changed(12, 3, 4)
        held = LevelHeld(location_id=1, sku="TEE-M", sku_id=2, on_hand=3, reserved=1, available=2)
        uow.record(
            OrderLinesCancelled(
                order_id=5, number="SO-000005", reason="one too many", status="CONFIRMED",
                lines=[], total=0, levels=[held],
            )
        )  # fmt: skip
        await uow.commit()
    async with database.reader() as reader:
        written = await read_log(reader)
    assert [(event.type, event.aggregate_id) for event in written] == [
        (EventType.ORDER_LINES_CANCELLED, 5),
        (EventType.INVENTORY_LEVEL_CHANGED, 12),
    ]
    assert written[1].payload == {"locationId": 3, "skuId": 4}


async def test_a_commands_events_are_logged_in_the_order_it_added_them(database: Database) -> None:
    order = [5, 3, 9, 1, 7, 2]
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        for aggregate_id in order:
            uow.record(
                ChannelCreated(
                    channel_id=aggregate_id,
                    code=f"c{order.index(aggregate_id)}",
                    name='Ünïcode "quoted"',
                )
            )
        await uow.commit()
    async with database.reader() as reader:
        logged = await read_log(reader, limit=1000)
    assert [event.aggregate_id for event in logged] == order
    assert [event.payload["code"] for event in logged] == [f"c{n}" for n in range(len(order))]
    assert {event.payload["name"] for event in logged} == {'Ünïcode "quoted"'}
    assert len({event.transaction_id for event in logged}) == 1
