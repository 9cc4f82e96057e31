"""Which order, shipment and inventory levels an event concerns."""

from __future__ import annotations

from typing import Any

from api.auth import Permission
from api.events.audience import READ_PERMISSION, readable_types
from api.events.models import Event, EventType
from api.events.topics import levels_of, order_id_of, shipment_id_of


def event(aggregate_type: str, aggregate_id: int, **payload: Any) -> Event:
    return Event(
        type=EventType.ORDER_PLACED,
        aggregate_type=aggregate_type,
        aggregate_id=aggregate_id,
        actor="system",
        payload=payload,
    )


def test_an_order_event_concerns_its_order() -> None:
    assert order_id_of(event("order", 7)) == 7
    assert shipment_id_of(event("order", 7)) is None


def test_a_shipment_event_concerns_the_shipment_and_its_order() -> None:
    shipped = event("shipment", 3, orderId=7)
    assert (order_id_of(shipped), shipment_id_of(shipped)) == (7, 3)


def test_other_events_concern_no_order() -> None:
    assert order_id_of(event("pick_list", 2, shipments=[3])) is None
    assert order_id_of(event("shipment", 3, orderId="7")) is None


def test_levels_come_from_a_level_a_list_of_levels_or_the_level_itself() -> None:
    received = event("inventory_level", 9, level={"locationId": 1, "skuId": 2, "onHand": 5})
    placed = event(
        "order", 7, levels=[{"locationId": 1, "skuId": 2}, {"locationId": 3, "skuId": 4}]
    )
    moved = event("inventory_level", 9, locationId=1, skuId=2)
    assert levels_of(received) == [(1, 2)]
    assert levels_of(placed) == [(1, 2), (3, 4)]
    assert levels_of(moved) == [(1, 2)]
    assert levels_of(event("order", 7)) == []


def test_every_event_type_says_which_permission_reads_it() -> None:
    assert set(READ_PERMISSION) == {event_type.value for event_type in EventType}
    assert readable_types(frozenset({Permission.ORDERS_READ})) >= {"ORDER_PLACED", "REFUND_ISSUED"}
    assert "CUSTOMER_CREATED" not in readable_types(frozenset({Permission.ORDERS_READ}))
