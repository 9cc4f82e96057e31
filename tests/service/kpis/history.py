"""A small fixed history with figures worked out by hand (tests/service/kpis/test_kpis.py
gives them), written as rows, each with the moment and amounts the figures need."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update

from api.auth import SYSTEM_ACTOR
from api.catalog.models import Sku
from api.channels.models import Channel
from api.customers.models import Customer
from api.db import Database
from api.fulfilment.models import PickList
from api.inventory.models import InventoryLevel, InventoryMovement
from api.kpis.projection import rebuild
from api.orders.models import Order, OrderLine, Shipment
from api.returns.models import Feedback, Return, ReturnLine
from tests.factories import make_channel, make_location, make_product, receive

HOUR = 3600.0


def at(day: int, hour: int = 0) -> datetime:
    """A moment in March 2026 (the 2nd is a Monday)."""
    return datetime(2026, 3, day, hour, tzinfo=UTC)


START, END = at(2), at(4)


@dataclass
class History:
    database: Database
    web: int
    app: int
    berlin: int
    hamburg: int


class Writer:
    def __init__(self, database: Database) -> None:
        self.database = database
        self.rows: list[Any] = []
        self.orders = 0

    def order(
        self, channel: int, customer: int, placed: datetime, total: int, **fields: Any
    ) -> Order:
        self.orders += 1
        values: dict[str, Any] = {
            "channel_id": channel,
            "customer_id": customer,
            "email": "buyer@example.com",
            "status": "CONFIRMED",
            "payment_status": "AUTHORIZED",
            "fulfilment_status": "UNFULFILLED",
            "currency": "EUR",
            "subtotal": total,
            "shipping_total": 0,
            "tax_total": 0,
            "total": total,
            "shipping_speed": "STANDARD",
            "ship_name": "Buyer",
            "ship_line1": "Street 1",
            "ship_city": "Berlin",
            "ship_postal_code": "10115",
            "ship_country": "DE",
            "placed_at": placed,
            "promised_at": at(5),
            "tracking_token_hash": f"{self.orders:064d}",
            "updated_at": placed,
        }
        values.update(fields)
        return Order(**values)


async def build_history(database: Database) -> History:
    await make_channel(database, "web")
    await make_channel(database, "app")
    berlin = await make_location(database, "BER")
    hamburg = await make_location(database, "HAM")
    await make_product(database, "A", "B")
    async with database.session() as session:
        await session.execute(update(Sku).where(Sku.code == "A").values(unit_cost=400))
        await session.execute(update(Sku).where(Sku.code == "B").values(unit_cost=1000))
        channels = {c.code: c.id for c in (await session.execute(Channel.__table__.select())).all()}
        skus = {s.code: s.id for s in (await session.execute(Sku.__table__.select())).all()}
        customer = Customer(email="buyer@example.com", name="Buyer")
        session.add(customer)
        await session.flush()
        writer = Writer(database)
        web, app, a, b = channels["web"], channels["app"], skus["A"], skus["B"]
        ber, ham = berlin.id, hamburg.id
        assert customer.id is not None and ber is not None and ham is not None

        async def order(channel: int, placed: datetime, total: int, **fields: Any) -> int:
            row = writer.order(channel, customer.id, placed, total, **fields)  # type: ignore[arg-type]
            session.add(row)
            await session.flush()
            assert row.id is not None
            return row.id

        def line(order_id: int, sku: int, quantity: int, **fields: Any) -> None:
            values = {"quantity_allocated": quantity, "unit_price": 1000} | fields
            session.add(OrderLine(order_id=order_id, sku_id=sku, quantity=quantity, **values))

        def shipment(order_id: int, location: int, **fields: Any) -> None:
            session.add(Shipment(order_id=order_id, location_id=location, currency="EUR", **fields))

        # Outside the period: before it and after it.
        for placed in (at(1, 23), at(4, 1)):
            early = await order(web, placed, 9_999)
            line(early, a, 1)
        # Monday: O1 delivered on time; O2 cancelled; O3 split, one late, a wrong item returned.
        o1 = await order(web, at(2, 10), 5_000, status="DELIVERED")
        line(o1, a, 2, quantity_fulfilled=2)
        shipment(
            o1,
            ber,
            status="DELIVERED",
            shipped_at=at(2, 20),
            delivered_at=at(4, 10),
            shipping_cost=500,
        )
        session.add(Feedback(order_id=o1, rating=5))
        o2 = await order(web, at(2, 12), 3_000, status="CANCELLED")
        line(o2, b, 1, quantity_allocated=0, quantity_cancelled=1)
        shipment(o2, ber, status="CANCELLED")
        o3 = await order(web, at(2, 18), 8_000, status="DELIVERED")
        line(o3, a, 1, quantity_fulfilled=1)
        line(o3, b, 1, quantity_fulfilled=1, filled_as_placed=False)
        shipment(
            o3,
            ber,
            status="DELIVERED",
            shipped_at=at(3, 6),
            delivered_at=at(4, 6),
            shipping_cost=400,
        )
        shipment(
            o3,
            ham,
            status="DELIVERED",
            shipped_at=at(3, 18),
            delivered_at=at(6, 18),
            shipping_cost=600,
        )
        session.add(Feedback(order_id=o3, rating=2))
        # Tuesday: O4 (app) backordered; O5 shipped, a change of mind.
        o4 = await order(app, at(3, 9), 2_000)
        line(
            o4,
            b,
            2,
            quantity_allocated=0,
            quantity_backordered=2,
            filled_as_placed=False,
            was_backordered=True,
        )
        shipment(o4, ham)
        o5 = await order(web, at(3, 15), 4_000, status="SHIPPED")
        line(o5, a, 1, quantity_fulfilled=1)
        shipment(o5, ber, status="SHIPPED", shipped_at=at(3, 23), shipping_cost=300)
        session.add(Feedback(order_id=o5, rating=4))
        await session.flush()
        lines = {
            (row.order_id, row.sku_id): row.id
            for row in (await session.execute(OrderLine.__table__.select())).all()
        }
        for order_id, sku, reason, status, requested_at in (
            (o3, b, "WRONG_ITEM", "INSPECTED", at(11)),
            (o5, a, "CHANGED_MIND", "REQUESTED", at(4, 12)),
        ):
            request = Return(
                order_id=order_id,
                status=status,
                resolution="REFUND",
                requested_by="customer",
                created_at=requested_at,
            )
            session.add(request)
            await session.flush()
            session.add(
                ReturnLine(
                    return_id=request.id,
                    order_line_id=lines[order_id, sku],
                    sku_id=sku,
                    quantity=1,
                    reason=reason,
                )
            )
        # A rejected return does not count.
        rejected = Return(
            order_id=o1,
            status="REJECTED",
            resolution="REFUND",
            requested_by="customer",
            created_at=at(4),
        )
        session.add(rejected)
        await session.flush()
        session.add(
            ReturnLine(
                return_id=rejected.id,
                order_line_id=lines[o1, a],
                sku_id=a,
                quantity=1,
                reason="NOT_AS_DESCRIBED",
            )
        )
        # The ledger: A at Berlin, B at Hamburg.
        for location, sku, bucket, kind, quantity, moment in (
            (ber, a, "on_hand", "receipt", 10, at(1)),
            (ber, a, "on_hand", "shipment", -2, at(2, 12)),
            (ber, a, "on_hand", "receipt", 5, at(3)),
            (ber, a, "on_hand", "shipment", -1, at(3, 6)),
            (ham, b, "on_hand", "receipt", 1, at(2)),
            (ham, b, "reserved", "reservation", 1, at(3, 5)),
            (ham, b, "reserved", "shipment", -1, at(3, 18)),
            (ham, b, "on_hand", "shipment", -1, at(3, 18)),
            (ham, b, "on_hand", "receipt", 3, at(4, 2)),
        ):
            session.add(
                InventoryMovement(
                    location_id=location,
                    sku_id=sku,
                    bucket=bucket,
                    kind=kind,
                    quantity=quantity,
                    actor="test",
                    created_at=moment,
                )
            )
        for location, walked, naive, moment in (
            (ber, 30.0, 120.0, at(2, 13)),
            (ham, 20.0, 30.0, at(3, 10)),
            (ham, 99.0, 100.0, at(4, 10)),
        ):
            session.add(
                PickList(
                    location_id=location,
                    walking_distance_m=walked,
                    naive_walking_distance_m=naive,
                    created_by="test",
                    created_at=moment,
                )
            )
        await session.commit()
    await rebuild(database)  # the rows above were written without events
    return History(database, web, app, ber, ham)


NOW = datetime.now(UTC).replace(microsecond=0)
# SKU: (on hand, reserved, safety stock, unit cost, active, [(units shipped, days ago)])
STOCK = {
    "A": (10, 2, 0, 100, True, [(56, 3), (100, 40)]),  # 2 a day of late: 4 days of cover
    "B": (5, 0, 6, 200, True, []),  # below its safety stock
    "C": (100, 0, 0, 50, True, [(28, 10)]),  # 1 a day: 100 days of cover
    "D": (50, 0, 0, 300, True, [(5, 100)]),  # nothing sold for 100 days
    "E": (3, 0, 5, 10, False, []),  # no longer sold: in no report
}


async def build_stock(database: Database) -> Database:
    """Levels at Berlin as STOCK says, their shipments written to the ledger days before NOW."""
    berlin = await make_location(database, "BER")
    await make_product(database, *STOCK)
    for code, (on_hand, reserved, safety, cost, active, sales) in STOCK.items():
        level = await receive(database, berlin, code, on_hand)
        async with database.unit_of_work(SYSTEM_ACTOR) as uow:
            session = uow.session
            await session.execute(
                update(Sku).where(Sku.code == code).values(unit_cost=cost, active=active)
            )
            await session.execute(
                update(InventoryLevel)
                .where(InventoryLevel.id == level.id)
                .values(reserved=reserved, safety_stock=safety)
            )
            for units, days_ago in sales:
                session.add(
                    InventoryMovement(
                        location_id=level.location_id,
                        sku_id=level.sku_id,
                        bucket="on_hand",
                        kind="shipment",
                        quantity=-units,
                        actor="test",
                        created_at=NOW - timedelta(days=days_ago),
                    )
                )
            await uow.commit()
    await rebuild(database)
    return database
