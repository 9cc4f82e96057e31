"""Every lifecycle's table, and a walk of the code proving no status is set outside ``move``."""

from __future__ import annotations

import ast
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from api.errors import ErrorCode, IllegalTransition
from api.fulfilment.rules import PICK_LIST, PICK_TASK
from api.fulfilment.statuses import PickListStatus, PickTaskStatus
from api.inventory.rules import TRANSFER
from api.inventory.statuses import TransferStatus
from api.lifecycle import Lifecycle
from api.orders.rules import ALLOCATION, ORDER, SHIPMENT
from api.orders.statuses import AllocationStatus, OrderStatus, ShipmentStatus
from api.payments.rules import CALL
from api.purchasing.rules import PURCHASE_ORDER
from api.purchasing.statuses import PurchaseOrderStatus
from api.returns.rules import RETURN
from api.returns.statuses import ReturnStatus
from api.webhooks.rules import DELIVERY
from api.webhooks.statuses import DeliveryStatus

LIFECYCLES: dict[str, Lifecycle[Any]] = {
    "order": ORDER,
    "allocation": ALLOCATION,
    "shipment": SHIPMENT,
    "return": RETURN,
    "purchase order": PURCHASE_ORDER,
    "pick list": PICK_LIST,
    "pick task": PICK_TASK,
    "transfer": TRANSFER,
    "webhook delivery": DELIVERY,
    "payment provider call": CALL,
}
API = Path(__file__).resolve().parents[2] / "api"


def _enum(lifecycle: Lifecycle[Any]) -> type:
    return type(next(iter(lifecycle.transitions)))


def _reachable(lifecycle: Lifecycle[Any]) -> set[Any]:
    seen, frontier = set(lifecycle.initial), list(lifecycle.initial)
    while frontier:
        for target in lifecycle.transitions[frontier.pop()]:
            if target not in seen:
                seen.add(target)
                frontier.append(target)
    return seen


@pytest.mark.parametrize("name", LIFECYCLES)
def test_the_table_covers_every_status_and_reaches_each_live_one(name: str) -> None:
    lifecycle = LIFECYCLES[name]
    statuses = set(_enum(lifecycle))
    assert set(lifecycle.transitions) == statuses
    assert lifecycle.initial and not lifecycle.initial & set(lifecycle.retired)
    assert _reachable(lifecycle) == statuses - set(lifecycle.retired)
    for status in lifecycle.retired:
        assert not lifecycle.transitions[status]
        assert lifecycle.sources(status) == frozenset()


@pytest.mark.parametrize("name", LIFECYCLES)
def test_every_move_outside_the_table_is_refused_with_a_typed_error(name: str) -> None:
    lifecycle = LIFECYCLES[name]
    for current in _enum(lifecycle):
        for target in _enum(lifecycle):
            record = SimpleNamespace(status=current.value)
            if lifecycle.allows(current, target):
                assert lifecycle.move(record, target, 7) is current
                assert record.status is target
                continue
            with pytest.raises(IllegalTransition) as refused:
                lifecycle.move(record, target, 7)
            assert refused.value.code is ErrorCode.ILLEGAL_TRANSITION
            assert refused.value.field == [lifecycle.argument]
            assert record.status == current.value  # refused: nothing changed


@pytest.mark.parametrize("name", LIFECYCLES)
def test_records_begin_only_where_the_lifecycle_begins(name: str) -> None:
    lifecycle = LIFECYCLES[name]
    for status in _enum(lifecycle):
        if status in lifecycle.initial:
            assert lifecycle.start(status) is status
        else:
            with pytest.raises(ValueError):
                lifecycle.start(status)


def test_a_bulk_move_is_refused_from_a_status_that_cannot_make_it() -> None:
    assert SHIPMENT.bulk_move([ShipmentStatus.PENDING], ShipmentStatus.CANCELLED) == {
        "status": ShipmentStatus.CANCELLED
    }
    with pytest.raises(ValueError, match="DELIVERED"):
        SHIPMENT.bulk_move(
            [ShipmentStatus.PENDING, ShipmentStatus.DELIVERED], ShipmentStatus.CANCELLED
        )


@pytest.mark.parametrize(
    ("lifecycle", "current", "target"),
    [
        (ORDER, OrderStatus.CONFIRMED, OrderStatus.SHIPPED),  # picking comes first
        (ORDER, OrderStatus.PARTIALLY_SHIPPED, OrderStatus.CANCELLED),  # goods are out
        (ORDER, OrderStatus.DELIVERED, OrderStatus.CANCELLED),
        (ORDER, OrderStatus.CANCELLED, OrderStatus.CONFIRMED),
        (ALLOCATION, AllocationStatus.SHIPPED, AllocationStatus.RELEASED),
        (ALLOCATION, AllocationStatus.RESERVED, AllocationStatus.SHIPPED),  # unpicked stock
        (SHIPMENT, ShipmentStatus.PENDING, ShipmentStatus.SHIPPED),
        (SHIPMENT, ShipmentStatus.SHIPPED, ShipmentStatus.CANCELLED),
        (SHIPMENT, ShipmentStatus.DELIVERED, ShipmentStatus.IN_TRANSIT),
        (RETURN, ReturnStatus.REQUESTED, ReturnStatus.INSPECTED),  # approval comes first
        (RETURN, ReturnStatus.REFUNDED, ReturnStatus.EXCHANGED),
        (RETURN, ReturnStatus.CLOSED, ReturnStatus.INSPECTED),
        (PURCHASE_ORDER, PurchaseOrderStatus.DRAFT, PurchaseOrderStatus.RECEIVED),
        (PURCHASE_ORDER, PurchaseOrderStatus.RECEIVED, PurchaseOrderStatus.CANCELLED),
        (PICK_LIST, PickListStatus.COMPLETED, PickListStatus.OPEN),
        (PICK_TASK, PickTaskStatus.SHORT, PickTaskStatus.PICKED),
        (TRANSFER, TransferStatus.RECEIVED, TransferStatus.IN_TRANSIT),
    ],
)
def test_the_moves_the_business_forbids(
    lifecycle: Lifecycle[Any], current: Any, target: Any
) -> None:
    assert not lifecycle.allows(current, target)


@pytest.mark.parametrize(
    ("lifecycle", "current", "target"),
    [
        (ORDER, OrderStatus.ON_HOLD, OrderStatus.PROCESSING),  # released where it was held
        (ORDER, OrderStatus.PROCESSING, OrderStatus.CANCELLED),
        (SHIPMENT, ShipmentStatus.EXCEPTION, ShipmentStatus.DELIVERED),
        (RETURN, ReturnStatus.EXCHANGED, ReturnStatus.INSPECTED),  # the exchange was cancelled
        (
            PURCHASE_ORDER,
            PurchaseOrderStatus.PARTIALLY_RECEIVED,
            PurchaseOrderStatus.PARTIALLY_RECEIVED,
        ),
        (DELIVERY, DeliveryStatus.FAILED, DeliveryStatus.PENDING),  # redelivered
    ],
)
def test_the_moves_the_business_needs(lifecycle: Lifecycle[Any], current: Any, target: Any) -> None:
    assert lifecycle.allows(current, target)


def test_retired_statuses_are_the_ones_the_schema_deprecates() -> None:
    assert set(ORDER.retired) == {OrderStatus.PENDING, OrderStatus.COMPLETED}
    assert set(RETURN.retired) == {ReturnStatus.RECEIVED}


def _status_writes(tree: ast.AST) -> list[tuple[int, str]]:
    """Where a module assigns ``<record>.status`` or UPDATEs ``status=`` outside a lifecycle."""
    found = []
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        for target in targets:
            for part in ast.walk(target):
                if isinstance(part, ast.Attribute) and part.attr == "status":
                    found.append((node.lineno, "assigns .status"))
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "values"
            and any(keyword.arg == "status" for keyword in node.keywords)
        ):
            found.append((node.lineno, "UPDATE .values(status=...)"))
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                literal_status = (
                    isinstance(value, ast.Attribute)
                    and isinstance(value.value, ast.Name)
                    and value.value.id in STATUS_ENUMS
                )
                if isinstance(key, ast.Constant) and key.value == "status" and literal_status:
                    found.append((node.lineno, "writes a status constant without start()"))
    return found


STATUS_ENUMS = {_enum(lifecycle).__name__ for lifecycle in LIFECYCLES.values()}


def test_no_status_is_assigned_outside_its_lifecycle() -> None:
    offences = []
    for path in sorted(API.rglob("*.py")):
        if path.name == "lifecycle.py" and path.parent == API:
            continue
        for line, what in _status_writes(ast.parse(path.read_text(), str(path))):
            offences.append(f"{path.relative_to(API.parent)}:{line}: {what}")
    assert offences == []


def test_the_walk_finds_each_kind_of_status_write() -> None:
    source = (
        "order.status = OrderStatus.CANCELLED\n"
        "update(Shipment).values(status=ShipmentStatus.CANCELLED)\n"
        "rows = [{'status': AllocationStatus.RESERVED}]\n"
        "payload = {'status': order.status}\n"
    )
    assert [what for _, what in _status_writes(ast.parse(source))] == [
        "assigns .status",
        "UPDATE .values(status=...)",
        "writes a status constant without start()",
    ]
