"""Pure order rules: the lifecycle's transition table and what each state allows."""

from __future__ import annotations

from api.errors import IllegalTransition
from api.orders.statuses import OrderStatus

S = OrderStatus

# Status changes driven by the lifecycle; holds and cancellation are checked below.
TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.PENDING: frozenset({S.CONFIRMED, S.ON_HOLD, S.CANCELLED}),
    S.CONFIRMED: frozenset({S.PROCESSING, S.ON_HOLD, S.CANCELLED}),
    S.ON_HOLD: frozenset({S.CANCELLED}),  # and back to the status it was held in
    S.PROCESSING: frozenset({S.PARTIALLY_SHIPPED, S.SHIPPED, S.ON_HOLD, S.CANCELLED}),
    S.PARTIALLY_SHIPPED: frozenset({S.SHIPPED}),
    S.SHIPPED: frozenset({S.DELIVERED}),
    S.DELIVERED: frozenset({S.COMPLETED}),
    S.COMPLETED: frozenset(),
    S.CANCELLED: frozenset(),
}

CANCELLABLE = frozenset({S.PENDING, S.CONFIRMED, S.ON_HOLD, S.PROCESSING})
EDITABLE = frozenset({S.CONFIRMED, S.ON_HOLD})


def require_transition(current: OrderStatus, target: OrderStatus, order_number: str) -> None:
    if target not in TRANSITIONS[current]:
        raise IllegalTransition(
            f"order {order_number} is {current.value} and cannot become {target.value}",
            field=["orderId"],
            current=current.value,
            target=target.value,
        )


def require_editable(current: OrderStatus, order_number: str) -> None:
    if current not in EDITABLE:
        raise IllegalTransition(
            f"order {order_number} is {current.value}: only confirmed or held orders can be edited",
            field=["orderId"],
            current=current.value,
        )


def require_cancellable(current: OrderStatus, order_number: str) -> None:
    if current not in CANCELLABLE:
        raise IllegalTransition(
            f"order {order_number} is {current.value}: only unshipped orders can be cancelled",
            field=["orderId"],
            current=current.value,
        )
