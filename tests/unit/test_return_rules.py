from __future__ import annotations

from api.returns.rules import OrderReturnStatus, order_return_status
from api.returns.statuses import ReturnStatus


def test_an_orders_return_status() -> None:
    assert order_return_status([], fulfilled=3, returned=0) is OrderReturnStatus.NONE
    assert order_return_status([ReturnStatus.REJECTED], 3, 0) is OrderReturnStatus.NONE
    assert order_return_status([ReturnStatus.APPROVED], 3, 0) is OrderReturnStatus.IN_PROGRESS
    assert (
        order_return_status([ReturnStatus.REFUNDED], 3, 1) is OrderReturnStatus.PARTIALLY_RETURNED
    )
    closed = [ReturnStatus.CLOSED, ReturnStatus.EXCHANGED]
    assert order_return_status(closed, 3, 3) is OrderReturnStatus.RETURNED
    assert (
        order_return_status([*closed, ReturnStatus.REQUESTED], 3, 3)
        is OrderReturnStatus.IN_PROGRESS
    )
