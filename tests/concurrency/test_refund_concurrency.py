"""Refunds racing each other never give back more than was captured."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from api.db import Database
from api.errors import RefundExceedsCaptured
from api.orders.routing import OrderPolicy
from api.payments.models import Payment
from api.payments.provider import TestPaymentProvider
from api.returns.models import Refund
from api.returns.refunds import issue_refund
from tests.service.fulfilment.conftest import Warehouse, make_warehouse
from tests.service.returns.conftest import deliver

PARALLEL = 10


async def test_ten_parallel_refunds_that_each_fit_alone_never_exceed_the_capture(
    pg_database: Database,
) -> None:
    shop: Warehouse = await make_warehouse(pg_database, OrderPolicy())
    placed = await deliver(shop, ("S1", 2))
    async with pg_database.session() as session:
        captured = (await session.execute(select(Payment))).scalar_one().amount_captured
    each = captured // 4 + 1  # any three fit, four do not

    async def refund() -> Refund | RefundExceedsCaptured:
        try:
            async with pg_database.unit_of_work("staff:1") as uow:
                return await issue_refund(
                    uow,
                    TestPaymentProvider(),
                    order_id=placed.order.id,
                    amount=each,
                    reason="race",  # type: ignore[arg-type]
                )
        except RefundExceedsCaptured as refused:
            return refused

    results = await asyncio.gather(*(refund() for _ in range(PARALLEL)))
    granted = [r for r in results if isinstance(r, Refund)]
    async with pg_database.session() as session:
        payment = (await session.execute(select(Payment))).scalar_one()
        stored = (await session.execute(select(func.sum(Refund.amount)))).scalar_one()
    assert len(granted) == 3
    assert payment.amount_refunded == stored == 3 * each <= captured
