"""Every event type is declared once, as a frozen dataclass, and serialised to the log's JSON
by one function; the commands write events only through those declarations."""

from __future__ import annotations

import ast
import dataclasses
import importlib
import pkgutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

import api
import api.models
from api.events.declared import DomainEvent, InventoryLevelChanged, as_json
from api.events.models import EventType
from api.inventory.events import LevelHeld, LevelSnapshot
from api.orders.events import OrderLinesCancelled, ShipmentCreated
from api.payments.events import PaymentReconciled
from api.planning.events import ReorderPointReached
from api.returns.events import ReturnReopened
from api.users.events import StaffTokensRevoked

API = Path(api.__file__).parent


def declared_events() -> list[type[DomainEvent]]:
    found: list[type[DomainEvent]] = []
    for module in pkgutil.walk_packages([str(API)], "api."):
        if module.name.endswith(".events") or module.name == "api.events.declared":
            for value in vars(importlib.import_module(module.name)).values():
                if (
                    isinstance(value, type)
                    and issubclass(value, DomainEvent)
                    and "type" in vars(value)
                    and value.__module__ == module.name
                ):
                    found.append(value)
    return found


def test_every_event_type_has_one_declaration() -> None:
    declared = [kind.type for kind in declared_events()]
    assert sorted(declared) == sorted(EventType), "one class per event type, no more"


@pytest.mark.parametrize("kind", declared_events(), ids=lambda kind: kind.__name__)
def test_each_declaration_is_frozen_and_named_for_what_happened(kind: type[DomainEvent]) -> None:
    assert dataclasses.is_dataclass(kind) and kind.__dataclass_params__.frozen  # type: ignore[attr-defined]
    assert kind.aggregate_type, "names what it is about"
    last_word = _words(kind.__name__)[-1]
    assert last_word.endswith("ed") or last_word in IRREGULAR_PAST, (
        f"{kind.__name__} is not named in the past tense"
    )


IRREGULAR_PAST = {"Set", "Out", "Held", "Resent"}


def _words(name: str) -> list[str]:
    words, current = [], ""
    for letter in name:
        if letter.isupper() and current:
            words.append(current)
            current = ""
        current += letter
    return [*words, current]


LEVEL = LevelSnapshot(
    level_id=9, location_id=1, sku="TEE-M", sku_id=2, on_hand=4, reserved=1, available=3,
    incoming=0, damaged=0, quality_control=0, discrepancy=0, safety_stock=2,
)  # fmt: skip
LEVEL_JSON = {
    "locationId": 1, "sku": "TEE-M", "skuId": 2, "onHand": 4, "reserved": 1, "available": 3,
    "incoming": 0, "damaged": 0, "qualityControl": 0, "discrepancy": 0, "safetyStock": 2,
}  # fmt: skip


def test_the_payloads_no_recorded_history_shows_keep_their_keys() -> None:
    """The events ``tests/service/events/event_log.jsonl`` cannot show (a reconciliation runs on
    PostgreSQL after a crash, a return reopens when an exchange is cancelled), as partners
    have always read them."""
    reconciled = PaymentReconciled(
        order_id=7, kind="CAPTURE", amount=1500, reference="cap_1", call_id=3,
        captured=1500, authorized=2000,
    )  # fmt: skip
    assert (reconciled.aggregate_type, reconciled.aggregate_id) == ("order", 7)
    assert reconciled.payload == {
        "kind": "CAPTURE", "amount": 1500, "reference": "cap_1", "callId": 3,
        "captured": 1500, "authorized": 2000,
    }  # fmt: skip
    reopened = ReturnReopened(
        order_id=7, number="SO-000007", return_id=4, cancelled_exchange="SO-000009"
    )
    assert reopened.payload == {
        "number": "SO-000007", "returnId": 4, "cancelledExchange": "SO-000009"
    }  # fmt: skip
    alert = ReorderPointReached(
        level=LEVEL, previous_state="HEALTHY", reorder_point=3.5, daily_demand=0.25,
        days_of_cover=12.0,
    )  # fmt: skip
    assert (alert.aggregate_type, alert.aggregate_id) == ("inventory_level", 9)
    assert alert.payload == {
        "level": LEVEL_JSON, "previousState": "HEALTHY", "reorderPoint": 3.5,
        "dailyDemand": 0.25, "daysOfCover": 12.0,
    }  # fmt: skip


def test_the_aggregate_id_stays_out_of_the_payload_unless_partners_read_it_there() -> None:
    at = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    revoked = StaffTokensRevoked(user_id=5, valid_after=at)
    assert revoked.aggregate_id == 5
    assert revoked.payload == {"userId": 5, "validAfter": "2026-03-02T09:30:00+00:00"}
    changed = InventoryLevelChanged(level_id=12, location_id=3, sku_id=4)
    assert changed.payload == {"locationId": 3, "skuId": 4}


def test_an_event_lists_the_levels_it_carries_and_the_order_it_concerns() -> None:
    held = LevelHeld(location_id=3, sku="TEE-L", sku_id=5, on_hand=1, reserved=1, available=0)
    alert = ReorderPointReached(
        level=LEVEL, previous_state=None, reorder_point=1, daily_demand=0, days_of_cover=None
    )
    assert alert.levels_listed() == [(1, 2)]
    assert alert.order_concerned is None
    cancelled = OrderLinesCancelled(
        order_id=7, number="SO-000007", reason="r", status="CONFIRMED", lines=[], total=0,
        levels=[held, LEVEL],
    )  # fmt: skip
    assert cancelled.levels_listed() == [(3, 5), (1, 2)]
    assert cancelled.order_concerned == 7
    created = ShipmentCreated(shipment_id=2, order_id=7, location_id=1, status="PENDING")
    assert (created.aggregate_id, created.order_concerned) == (2, 7)
    assert InventoryLevelChanged(level_id=1, location_id=3, sku_id=4).levels_listed() == [(3, 4)]


def test_values_are_written_as_json() -> None:
    assert as_json({"at": datetime(2026, 1, 1, tzinfo=UTC), "state": EventType.ORDER_HELD}) == {
        "at": "2026-01-01T00:00:00+00:00",
        "state": "ORDER_HELD",
    }


def test_commands_write_events_only_through_their_declarations() -> None:
    """No payload is spelled as a dict where an event is recorded: ``uow.record`` takes a
    declared event, built by name."""
    recorded = 0
    for path in API.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "record"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "uow"
            ):
                recorded += 1
                built = node.args[0]
                assert isinstance(built, ast.Call), f"{path}:{node.lineno} records a built event"
                assert not any(isinstance(argument, ast.Dict) for argument in ast.walk(built)), (
                    f"{path}:{node.lineno} spells a payload as a dict"
                )
    assert recorded > 50, "every command's events are found"
