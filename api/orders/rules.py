"""Pure order rules: the lifecycles of an order, its allocations and its shipments."""

from __future__ import annotations

from api.errors import IllegalTransition
from api.lifecycle import Lifecycle
from api.orders.statuses import AllocationStatus, OrderStatus, ShipmentStatus

OS = OrderStatus
ORDER = Lifecycle(
    "order",
    "orderId",
    {
        OS.CONFIRMED: frozenset({OS.PROCESSING, OS.ON_HOLD, OS.CANCELLED}),
        # Released back to the status it was held in.
        OS.ON_HOLD: frozenset({OS.CONFIRMED, OS.PROCESSING, OS.CANCELLED}),
        OS.PROCESSING: frozenset({OS.PARTIALLY_SHIPPED, OS.SHIPPED, OS.ON_HOLD, OS.CANCELLED}),
        OS.PARTIALLY_SHIPPED: frozenset({OS.SHIPPED}),
        OS.SHIPPED: frozenset({OS.DELIVERED}),
        OS.DELIVERED: frozenset(),
        OS.CANCELLED: frozenset(),
        OS.PENDING: frozenset(),
        OS.COMPLETED: frozenset(),
    },
    initial=frozenset({OS.CONFIRMED, OS.ON_HOLD}),
    retired={
        OS.PENDING: "an order is CONFIRMED (or ON_HOLD) as soon as it is placed",
        OS.COMPLETED: "DELIVERED ends an order's lifecycle; returnStatus follows its returns",
    },
)

EDITABLE = frozenset({OS.CONFIRMED, OS.ON_HOLD})


def require_editable(current: OrderStatus, order_number: str) -> None:
    if current not in EDITABLE:
        raise IllegalTransition(
            f"order {order_number} is {current.value}: only confirmed or held orders can be edited",
            field=["orderId"],
            current=current.value,
        )


A = AllocationStatus
ALLOCATION = Lifecycle(
    "allocation",
    "allocationId",
    {
        A.RESERVED: frozenset({A.PICKED, A.RELEASED}),
        A.PICKED: frozenset({A.SHIPPED, A.RELEASED}),
        A.SHIPPED: frozenset(),
        A.RELEASED: frozenset(),
    },
    initial=frozenset({A.RESERVED}),
)

S = ShipmentStatus
SHIPMENT = Lifecycle(
    "shipment",
    "shipmentId",
    {
        S.PENDING: frozenset({S.PICKING, S.CANCELLED}),
        S.PICKING: frozenset({S.PACKED, S.CANCELLED}),
        S.PACKED: frozenset({S.SHIPPED, S.CANCELLED}),
        S.SHIPPED: frozenset({S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED, S.EXCEPTION}),
        S.IN_TRANSIT: frozenset({S.OUT_FOR_DELIVERY, S.DELIVERED, S.EXCEPTION}),
        S.OUT_FOR_DELIVERY: frozenset({S.IN_TRANSIT, S.DELIVERED, S.EXCEPTION}),
        S.EXCEPTION: frozenset({S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED}),
        S.DELIVERED: frozenset(),
        S.CANCELLED: frozenset(),
    },
    initial=frozenset({S.PENDING}),
)

# Statuses in which the stock is still in the building.
NOT_YET_SHIPPED = frozenset({S.PENDING, S.PICKING, S.PACKED})
