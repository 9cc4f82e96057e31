"""A history of past days written through the real services, at the moments they happened
(``api.dbtypes.simulated_time``): orders across channels and regions, holds and cancellations,
replenishment, waves picked in bin order with the odd short pick, parcels shipped with transit
times (some late), deliveries, returns with reasons and dispositions, refunds and feedback.

Nothing is inserted behind the services' backs, so the history obeys every rule the API does,
and the KPIs read it as they would read a real one.
"""

from __future__ import annotations

import heapq
import itertools
import time as wall_clock
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from api.catalog.models import Sku
from api.db import Database
from api.dbtypes import simulated_time
from api.errors import DomainError
from api.events.models import Event
from api.fulfilment.confirming import PickConfirmation, confirm_picks
from api.fulfilment.packing import PackageSpec, pack_shipment
from api.fulfilment.picking import create_pick_list
from api.fulfilment.queries import shipments_by_pick_list_id, tasks_by_pick_list_id
from api.fulfilment.shipping import ship_shipment
from api.fulfilment.tracking import record_tracking_event
from api.inventory.models import InventoryLevel
from api.inventory.service import receive_inventory
from api.kpis.projection import catch_up
from api.orders.changes import cancel_order, release_order_hold
from api.orders.models import Order, OrderLine
from api.orders.placement import place_order
from api.orders.requests import PlaceOrderRequest
from api.orders.routing import OrderPolicy
from api.orders.statuses import ShipmentStatus
from api.payments.provider import PaymentProvider
from api.reads import columns
from api.returns.feedback import submit_feedback
from api.returns.models import (
    ItemCondition,
    ReturnDisposition,
    ReturnLine,
    ReturnReason,
    ReturnResolution,
)
from api.returns.receiving import ReceivedLine, receive_return
from api.returns.refunds import refund_return
from api.returns.service import (
    ReturnLineRequest,
    approve_return,
    request_return,
)
from api.shipping.carriers import CarrierAdapter
from api.simulation.world import World

ACTOR = "system:simulation"
WAVE_ORDERS = 40
REORDER_BELOW = 8
RESTOCK_TO = (60, 140)
RESTOCKED_FOR = 200
"""The orders a day the reorder point and top-up above are for; a busier shop orders more of
everything in proportion, as a real buyer would, rather than selling out."""
RESTOCK_WEEKDAYS = (0, 3)  # deliveries from suppliers on Mondays and Thursdays
PICKING_HOURS = (10, 16)  # a morning and an afternoon wave at every location
RETURN_WINDOW = timedelta(days=30)


async def has_simulated_history(database: Database) -> bool:
    async with database.reader() as reader:
        found = await reader.execute(
            select(columns(Event).id).where(columns(Event).actor == ACTOR).limit(1)
        )
        return found.first() is not None


async def has_orders(database: Database) -> bool:
    async with database.reader() as reader:
        found = await reader.execute(select(columns(Order).id).limit(1))
        return found.first() is not None


@dataclass
class SimulationReport:
    days: int = 0
    orders_placed: int = 0
    orders_refused: int = 0
    orders_cancelled: int = 0
    short_picks: int = 0
    shipments_shipped: int = 0
    deliveries: int = 0
    late_deliveries: int = 0
    returns: int = 0
    feedback: int = 0
    seconds: float = 0.0

    @property
    def orders_per_second(self) -> float:
        return self.orders_placed / self.seconds if self.seconds else 0.0


@dataclass(order=True)
class _Due:
    moment: datetime
    sequence: int
    step: Callable[[], Awaitable[None]] = field(compare=False)


class Simulator:
    def __init__(
        self,
        database: Database,
        world: World,
        payments: PaymentProvider,
        carriers: Mapping[str, CarrierAdapter],
        policy: OrderPolicy | None = None,
    ) -> None:
        self.database = database
        self.world = world
        self.payments = payments
        self.carriers = carriers
        self.policy = policy or OrderPolicy()
        self.report = SimulationReport()
        self._agenda: list[_Due] = []
        self._sequence = itertools.count()
        # Orders whose customer comes back after delivery (feedback, a return).
        self._after_delivery: set[int] = set()
        self._restock_scale = 1.0

    async def run(
        self, first_day: date, days: int, orders_per_day: int,
        progress: Callable[[date], None] = lambda _: None,
    ) -> SimulationReport:  # fmt: skip
        started = wall_clock.perf_counter()
        self._restock_scale = max(1.0, orders_per_day / RESTOCKED_FOR)
        for offset in range(days):
            day = first_day + timedelta(days=offset)
            await self._day(day, orders_per_day)
            await catch_up(self.database)  # the KPIs' summary tables, a day at a time
            self.report.days += 1
            progress(day)
        await self._until(datetime.combine(first_day + timedelta(days=days), time(), UTC))
        await catch_up(self.database)
        self.report.seconds = wall_clock.perf_counter() - started
        return self.report

    async def _command(self, moment: datetime, command: Callable[..., Awaitable[Any]],
                       *arguments: Any, **options: Any) -> Any:  # fmt: skip
        """``command`` in its own unit of work at ``moment``; None when the service refuses it
        (stock ran out meanwhile, a card was declined): the simulation goes on, as shops do."""
        with simulated_time(moment):
            try:
                async with self.database.unit_of_work(ACTOR) as uow:
                    return await command(uow, *arguments, **options)
            except DomainError:
                return None

    def _later(self, moment: datetime, step: Callable[[], Awaitable[None]]) -> None:
        heapq.heappush(self._agenda, _Due(moment, next(self._sequence), step))

    async def _until(self, moment: datetime) -> None:
        """Runs what the agenda holds before ``moment``, in time order."""
        while self._agenda and self._agenda[0].moment < moment:
            await heapq.heappop(self._agenda).step()

    async def _day(self, day: date, orders_per_day: int) -> None:
        at = lambda hour: datetime.combine(day, time(hour), UTC)  # noqa: E731
        if day.weekday() in RESTOCK_WEEKDAYS:
            await self._until(at(6))
            await self._restock(at(6))
        moments = self.world.moments(day, self.world.orders_on(day, orders_per_day))
        waves = [at(hour) for hour in PICKING_HOURS]
        for moment in moments:
            while waves and waves[0] <= moment:
                await self._until(waves[0])
                await self._pick_wave(waves.pop(0))
            await self._until(moment)
            await self._place(moment)
        for wave in waves:
            await self._until(wave)
            await self._pick_wave(wave)

    async def _place(self, moment: datetime) -> None:
        world = self.world
        shopper = world.rng.choice(world.shoppers)
        token = "tok_visa"
        if world.chance(world.odds.declined_payment):
            token = "tok_chargeDeclined"
        elif world.chance(world.odds.payment_review):
            token = "tok_review"
        request = PlaceOrderRequest(
            channel=world.channel(), customer_email=shopper.email, customer_name=shopper.name,
            lines=world.basket(), address=shopper.address, payment_token=token,
        )  # fmt: skip
        placed = await self._command(moment, place_order, self.payments, request, self.policy)
        if placed is None:
            self.report.orders_refused += 1
            return
        self.report.orders_placed += 1
        order_id = placed.order.id
        if token == "tok_review":  # someone looks at it the next morning
            release = datetime.combine(moment.date() + timedelta(days=1), time(9), UTC)
            self._later(release, lambda: self._release(release, order_id))
        if world.chance(world.odds.cancelled):
            change_of_mind = moment + timedelta(minutes=world.rng.randrange(5, 180))
            self._later(change_of_mind, lambda: self._cancel(change_of_mind, order_id))
        if world.chance(world.odds.feedback + world.odds.returned):
            self._after_delivery.add(order_id)

    async def _release(self, moment: datetime, order_id: int) -> None:
        await self._command(moment, release_order_hold, order_id=order_id)

    async def _cancel(self, moment: datetime, order_id: int) -> None:
        cancelled = await self._command(
            moment, cancel_order, self.payments, order_id=order_id,
            reason="the customer changed their mind",
        )  # fmt: skip
        self.report.orders_cancelled += cancelled is not None

    async def _restock(self, moment: datetime) -> None:
        """A supplier delivery: every shipping location's low levels topped up."""
        level, sku = columns(InventoryLevel), columns(Sku)
        async with self.database.reader() as reader:
            low = (
                await reader.execute(
                    select(level.location_id, sku.code, level.on_hand - level.reserved)
                    .join(sku.id.table, sku.id == level.sku_id)
                    .where(
                        level.location_id.in_(self.world.shipping_locations),
                        level.on_hand - level.reserved < REORDER_BELOW * self._restock_scale,
                        sku.active,
                    )
                    .order_by(level.location_id, sku.code)
                )
            ).all()
        for location_id, code, free in low:
            target = round(self.world.rng.randrange(*RESTOCK_TO) * self._restock_scale)
            quantity = target - max(free, 0)
            await self._command(
                moment, receive_inventory, location_id=location_id, sku_code=code,
                quantity=quantity, reference="supplier delivery",
            )  # fmt: skip

    async def _pick_wave(self, moment: datetime) -> None:
        """Every shipping location picks what waits, in waves, then packs and ships it."""
        for location_id in self.world.shipping_locations:
            while True:
                pick_list = await self._command(
                    moment, create_pick_list, location_id=location_id, max_orders=WAVE_ORDERS
                )
                if pick_list is None:  # nothing waits here
                    break
                await self._work_wave(moment, pick_list.id)

    async def _work_wave(self, moment: datetime, pick_list_id: int) -> None:
        world = self.world
        async with self.database.reader() as reader:
            [tasks] = await tasks_by_pick_list_id(reader, [pick_list_id])
        picks = []
        for task in tasks:
            short = task.quantity > 0 and world.chance(world.odds.short_pick)
            self.report.short_picks += short
            picks.append(PickConfirmation(task.id, task.quantity - 1 if short else task.quantity))  # type: ignore[arg-type]
        picked_at = moment + timedelta(minutes=45)
        await self._command(
            picked_at, confirm_picks, pick_list_id=pick_list_id, picks=picks, policy=self.policy
        )
        async with self.database.reader() as reader:
            [shipments] = await shipments_by_pick_list_id(reader, [pick_list_id])
        for number, shipment in enumerate(shipments):
            packed_at = picked_at + timedelta(minutes=20 + number)
            packages = [PackageSpec(weight_grams=world.rng.randrange(300, 4000, 50))]
            if await self._command(packed_at, pack_shipment, shipment_id=shipment.id,
                                   packages=packages) is None:  # fmt: skip
                continue  # a short pick left it empty, or its order was cancelled meanwhile
            shipped = await self._command(
                packed_at + timedelta(hours=1), ship_shipment, self.payments, self.carriers,
                shipment_id=shipment.id,
            )  # fmt: skip
            if shipped is None or not shipped.tracking_number:
                continue
            self.report.shipments_shipped += 1
            self._schedule_delivery(packed_at, shipped.order_id, shipped.tracking_number)

    def _schedule_delivery(self, shipped_at: datetime, order_id: int, tracking: str) -> None:
        days = self.world.transit_days()
        late = days > 3
        delivered_at = datetime.combine(
            (shipped_at + timedelta(days=days)).date(),
            time(self.world.rng.randrange(9, 19), self.world.rng.randrange(60)),
            UTC,
        )
        self._later(delivered_at, lambda: self._deliver(delivered_at, order_id, tracking, late))

    async def _deliver(self, moment: datetime, order_id: int, tracking: str, late: bool) -> None:
        delivered = await self._command(
            moment, record_tracking_event, tracking_number=tracking,
            status=ShipmentStatus.DELIVERED, occurred_at=moment, description="delivered",
        )  # fmt: skip
        if delivered is None:
            return
        self.report.deliveries += 1
        self.report.late_deliveries += late
        if order_id not in self._after_delivery:
            return
        self._after_delivery.discard(order_id)
        world = self.world
        share = world.odds.returned / (world.odds.returned + world.odds.feedback)
        later = moment + timedelta(days=world.rng.randrange(1, 6), hours=world.rng.randrange(8))
        if world.chance(share):
            self._later(later, lambda: self._return(later, order_id))
        else:
            self._later(later, lambda: self._feedback(later, order_id, late))

    async def _feedback(self, moment: datetime, order_id: int, late: bool) -> None:
        rating = self.world.rating(late)
        given = await self._command(moment, submit_feedback, order_id=order_id, rating=rating)
        self.report.feedback += given is not None

    async def _return(self, moment: datetime, order_id: int) -> None:
        line = columns(OrderLine)
        async with self.database.reader() as reader:
            lines = (
                await reader.execute(
                    select(line.id, line.quantity_fulfilled - line.quantity_returned).where(
                        line.order_id == order_id,
                        line.quantity_fulfilled > line.quantity_returned,
                    )
                )
            ).all()
        if not lines:
            return
        reason = self.world.return_reason()
        chosen = self.world.rng.sample(lines, self.world.rng.randrange(1, len(lines) + 1))
        requested = await self._command(
            moment, request_return, order_id=order_id,
            lines=[ReturnLineRequest(line_id, units, reason) for line_id, units in chosen],
            resolution=ReturnResolution.REFUND, window=RETURN_WINDOW,
        )  # fmt: skip
        if requested is None:
            return
        self.report.returns += 1
        return_id = requested.id
        approved_at = moment + timedelta(hours=2)
        arrives = moment + timedelta(days=self.world.rng.randrange(2, 6))
        self._later(approved_at, lambda: self._approve(approved_at, return_id))
        self._later(arrives, lambda: self._receive(arrives, return_id, reason))

    async def _approve(self, moment: datetime, return_id: int) -> None:
        await self._command(moment, approve_return, self.carriers, return_id=return_id)

    async def _receive(self, moment: datetime, return_id: int, reason: ReturnReason) -> None:
        damaged = reason is ReturnReason.DAMAGED or self.world.chance(0.1)
        line = columns(ReturnLine)
        async with self.database.reader() as reader:
            lines = (
                await reader.execute(
                    select(line.id, line.quantity).where(line.return_id == return_id)
                )
            ).all()
        received = [
            ReceivedLine(
                line_id,
                units,
                ItemCondition.DAMAGED if damaged else ItemCondition.NEW,
                ReturnDisposition.DAMAGED if damaged else ReturnDisposition.RESTOCK,
            )
            for line_id, units in lines
        ]
        if await self._command(moment, receive_return, return_id=return_id, lines=received):
            refunded_at = moment + timedelta(hours=1)
            self._later(refunded_at, lambda: self._refund(refunded_at, return_id))

    async def _refund(self, moment: datetime, return_id: int) -> None:
        await self._command(moment, refund_return, self.payments, return_id=return_id)
