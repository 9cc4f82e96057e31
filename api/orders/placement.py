"""placeOrder and simulateRouting: validate, source, reserve, authorise, write — one transaction."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from api.channels.queries import channel_id_by_code
from api.customers.service import link_customer
from api.db import UnitOfWork
from api.dbtypes import utcnow
from api.errors import AlreadyExists, InvalidInput, NotFound
from api.idempotency import service as idempotency
from api.inventory import reservations
from api.inventory.errors import InsufficientStock
from api.inventory.models import MovementKind
from api.inventory.reservations import Hold, LevelState
from api.orders import pricing, records, routing, rules
from api.orders.events import LineOrdered, OrderPlaced
from api.orders.models import Order, order_number
from api.orders.requests import PlaceOrderRequest, ValidOrder, validated
from api.orders.routing import OrderPolicy
from api.orders.shipments import shipment_opened, shipments_for
from api.orders.single_statement import insert_order_rows
from api.orders.statuses import FulfilmentStatus, OrderStatus
from api.payments import calls
from api.payments.calls import ProviderCall
from api.payments.models import CallKind
from api.payments.provider import Authorization, PaymentProvider
from api.payments.statuses import PaymentStatus
from api.sourcing.rules import RoutingPlan
from api.writes import insert_row

HANDLING_DAYS = 1
RESERVATION_ATTEMPTS = 3


@dataclass(frozen=True)
class PlacedOrder:
    order: Order
    tracking_token: str
    replayed: bool = False


def hash_tracking_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def _require_new_reference(uow: UnitOfWork, channel_id: int, reference: str) -> None:
    """A channel's own order number names one order; a second order with it is refused
    (a concurrent one is refused by the unique index, and its transaction rolls back)."""
    taken = await uow.session.execute(
        select(col(Order.id)).where(
            col(Order.channel_id) == channel_id, col(Order.external_reference) == reference
        )
    )
    if taken.first() is not None:
        raise AlreadyExists("order with external reference", reference, field=["externalReference"])


async def _channel_id(uow: UnitOfWork, code: str) -> int:
    channel_id = await channel_id_by_code(uow.database, uow.session, code.strip())
    if channel_id is None:
        raise NotFound("channel", code, field=["channel"])
    return channel_id


async def reserve_plan(
    uow: UnitOfWork, prepared: routing.Prepared, policy: OrderPolicy
) -> tuple[RoutingPlan, list[Hold], list[LevelState]]:
    """Plans from a fresh read and reserves the plan; a plan overtaken by a concurrent order
    (a guard fails) is dropped whole and planned again from what is left."""
    for attempt in range(RESERVATION_ATTEMPTS):
        plan, level_ids = await routing.plan_routing(
            uow.session, prepared, policy, reread=attempt > 0
        )
        holds = [
            Hold(level_ids[(a.location_id, a.sku_id)], a.location_id, a.sku_id, a.quantity)
            for a in plan.allocations
        ]
        reserved = await reservations.reserve(uow, holds)
        if not isinstance(reserved, reservations.Refused):
            return plan, holds, reserved
        lost = next(hold.sku_id for hold in holds if hold.level_id in reserved.short_level_ids)
    demand = next(demand for demand in prepared.demands if demand.sku_id == lost)
    raise InsufficientStock(demand.sku_code, demand.quantity, 0, field=["lines"])


def _fingerprint(request: PlaceOrderRequest) -> dict[str, Any]:
    return {
        "channel": request.channel,
        "customer": [request.customer_email, request.customer_name]
        + ([request.customer_locale] if request.customer_locale else []),
        "lines": [[line.sku, line.quantity] for line in request.lines],
        "address": vars(request.address),
        "payment": [request.payment_method, request.payment_token],
        "speed": request.shipping_speed.value,
        "externalReference": request.external_reference,
        "credit": request.credit,
    }


async def _claim_key(
    uow: UnitOfWork, request: PlaceOrderRequest, policy: OrderPolicy, token: str
) -> idempotency.Claim | None:
    """The request's idempotency key claimed, or the first placement's answer under it."""
    if request.idempotency_key is None:
        return None
    # The token is stored with the key (only for the key's lifetime) so that a client
    # retrying after a lost response gets the same answer, token included.
    return await idempotency.claim(
        uow,
        key=request.idempotency_key,
        operation="placeOrder",
        request=_fingerprint(request),
        expires_after=policy.idempotency_ttl,
        known_result={"trackingToken": token},
    )


async def _replay(uow: UnitOfWork, claimed: idempotency.Claim) -> PlacedOrder:
    order = (
        await uow.session.execute(
            select(Order)
            .where(col(Order.idempotency_record_id) == claimed.record_id)
            .order_by(col(Order.id).desc())
            .limit(1)
        )
    ).scalar_one()
    await uow.commit()  # nothing to write; ends the transaction without expiring the order
    assert claimed.replay is not None
    return PlacedOrder(order, claimed.replay["trackingToken"], replayed=True)


async def place_order(
    uow: UnitOfWork,
    payments: PaymentProvider,
    request: PlaceOrderRequest,
    policy: OrderPolicy,
) -> PlacedOrder:
    """Accepts an order: every row, ledger movement and event in one transaction, or nothing.

    The payment is authorised while the reservations are held, so a declined payment rolls
    them back with everything else.
    """
    token = secrets.token_urlsafe(24)
    claimed = await _claim_key(uow, request, policy, token)
    if claimed is not None and claimed.replay is not None:
        return await _replay(uow, claimed)
    record_id = claimed.record_id if claimed is not None else None
    valid = validated(request)
    channel_id = await _channel_id(uow, request.channel)
    if valid.external_reference is not None:
        await _require_new_reference(uow, channel_id, valid.external_reference)
    prepared = await routing.prepare(
        uow.session, valid.quantities, request.address, request.shipping_speed
    )
    customer = await link_customer(uow, email=valid.email, name=valid.name, locale=valid.locale)
    plan, holds, states = await reserve_plan(uow, prepared, policy)
    shipping, transit_days = routing.shipping_total(plan, prepared.speed)
    country = request.address.country.strip().upper()
    prices = [(prepared.skus[code].price, q) for code, q in prepared.quantities.items()]
    totals = pricing.totals(prices, shipping, country)
    currency = next(iter(prepared.skus.values())).currency
    authorizing = _authorizing(uow, valid, max(totals.total - request.credit, 0), currency)
    made = await calls.make(uow, payments, authorizing) if authorizing else None
    authorization = (
        made.authorization
        if made is not None and made.authorization is not None
        else Authorization(reference=f"credit_{secrets.token_hex(8)}", amount=0)
    )
    try:
        placed = await _write(
            uow,
            provider=payments.name,
            valid=valid,
            prepared=prepared,
            plan=plan,
            holds=holds,
            states=states,
            channel_id=channel_id,
            customer_id=customer.id,
            totals=totals,
            currency=currency,
            transit_days=transit_days,
            authorization=authorization,
            policy=policy,
            token=token,
            idempotency_record_id=record_id,
            call=made,
        )
        await uow.commit()
    except BaseException:
        if made is not None and authorizing is not None:
            await calls.compensate(uow, payments, made, authorizing)
        raise
    return placed


def _authorizing(
    uow: UnitOfWork, valid: ValidOrder, due: int, currency: str
) -> ProviderCall | None:
    """The authorisation of what the order owes; none for a fully credited order."""
    if not due:
        return None
    key = valid.request.idempotency_key
    return ProviderCall(
        CallKind.AUTHORIZE,
        # A placement retried with its idempotency key gets the same authorisation.
        f"authorize:{uow.actor}:{key}" if key else f"authorize:{secrets.token_hex(16)}",
        due,
        currency,
        request={"method": valid.payment_method, "token": _token_for(due, valid)},
    )


def _token_for(due: int, valid: ValidOrder) -> str:
    """The card token an authorisation of ``due`` needs: a credited order that still owes
    money (its credit was less than its total) must bring one."""
    if not valid.payment_token:
        raise InvalidInput(
            f"the credit leaves {due} to pay: a payment token is needed", field=["payment", "token"]
        )
    return valid.payment_token


async def _write(
    uow: UnitOfWork,
    *,
    provider: str,
    valid: ValidOrder,
    prepared: routing.Prepared,
    plan: RoutingPlan,
    holds: list[Hold],
    states: list[LevelState],
    channel_id: int,
    customer_id: int,
    totals: pricing.Totals,
    currency: str,
    transit_days: int,
    authorization: Authorization,
    policy: OrderPolicy,
    token: str,
    idempotency_record_id: int | None,
    call: calls.Made | None,
) -> PlacedOrder:
    now = utcnow()
    request = valid.request
    order = _new_order(
        valid,
        prepared,
        plan,
        channel_id,
        customer_id,
        totals,
        currency,
        transit_days,
        authorization,
        token,
        idempotency_record_id,
        now,
    )
    rows = _OrderRows(
        order, prepared, plan, holds, authorization, call, provider, request, now, policy
    )
    try:
        if uow.database.is_sqlite:
            order_id = await rows.write_one_by_one(uow)
        else:
            order_id = await rows.write_at_once(uow)
    except IntegrityError as clash:
        if "uq_sales_order_channel_reference" not in str(clash.orig):
            raise
        raise AlreadyExists(
            "order with external reference", valid.external_reference, field=["externalReference"]
        ) from clash
    number = order_number(order_id)
    codes = {sku.id: code for code, sku in prepared.skus.items()}
    uow.record(
        OrderPlaced(
            order_id=order_id,
            number=number,
            status=order.status,
            total=order.total,
            currency=currency,
            customer_id=customer_id,
            channel=request.channel.strip(),
            lines=[
                LineOrdered(sku=code, quantity=quantity)
                for code, quantity in prepared.quantities.items()
            ],
            allocations=plan.decision["allocations"],
            backorders=plan.decision["backorders"],
            levels=[state.held(codes[state.sku_id]) for state in states],
        )
    )
    return PlacedOrder(order, token)


def _new_order(
    valid: ValidOrder,
    prepared: routing.Prepared,
    plan: RoutingPlan,
    channel_id: int,
    customer_id: int,
    totals: pricing.Totals,
    currency: str,
    transit_days: int,
    authorization: Authorization,
    token: str,
    idempotency_record_id: int | None,
    now: datetime,
) -> Order:
    """The order row, held for review when the provider asks for one."""
    held = authorization.needs_review
    return Order(
        channel_id=channel_id,
        customer_id=customer_id,
        external_reference=valid.external_reference,
        email=valid.email,
        status=rules.ORDER.start(OrderStatus.ON_HOLD if held else OrderStatus.CONFIRMED),
        status_before_hold=OrderStatus.CONFIRMED if held else None,
        hold_reason="payment review requested by the provider" if held else None,
        payment_status=PaymentStatus.AUTHORIZED,
        fulfilment_status=FulfilmentStatus.UNFULFILLED,
        currency=currency,
        subtotal=totals.subtotal,
        shipping_total=totals.shipping,
        tax_total=totals.tax,
        total=totals.total,
        shipping_speed=prepared.speed,
        placed_at=now,
        promised_at=now + timedelta(days=HANDLING_DAYS + transit_days),
        tracking_token_hash=hash_tracking_token(token),
        idempotency_record_id=idempotency_record_id,
        exchange_for_return_id=valid.request.exchange_for_return_id,
        routing_decision=plan.decision,
        updated_at=now,
        **valid.ship_columns,  # type: ignore[arg-type]
    )


@dataclass(frozen=True)
class _OrderRows:
    """What a placed order writes besides its events: the order, lines, shipments,
    allocations, ledger rows, payment and authorisation."""

    order: Order
    prepared: routing.Prepared
    plan: RoutingPlan
    holds: list[Hold]
    authorization: Authorization
    call: calls.Made | None
    """The authorisation's payment call, settled with the rows."""
    provider: str
    request: PlaceOrderRequest
    now: datetime
    policy: OrderPolicy

    @property
    def credited(self) -> int:
        """What of the total the exchanged return pays; its value beyond the total is refunded
        to the returned order (``api.returns.exchanges``)."""
        return min(self.request.credit, self.order.total)

    async def write_one_by_one(self, uow: UnitOfWork) -> int:
        order, now, plan = self.order, self.now, self.plan
        order_id = await insert_row(uow.session, order)
        line_ids = await records.write_lines(uow, order, self.prepared, plan, now, self.policy)
        shipment_ids = await shipments_for(
            uow,
            order_id,
            order.currency,
            {a.location_id for a in plan.allocations},
            now,
            new_order=True,
        )
        await records.write_allocations(uow, order_id, plan, line_ids, shipment_ids, now)
        await reservations.record(
            uow, self.holds, MovementKind.RESERVATION, reference=order_number(order_id)
        )
        await records.write_payment(
            uow,
            order,
            self.authorization,
            provider=self.provider,
            method=self.request.payment_method,
            credited=self.credited,
            now=now,
        )
        if self.call is not None:
            await calls.settle(uow, self.call)
        return order_id

    async def write_at_once(self, uow: UnitOfWork) -> int:
        """The same rows in one statement (PostgreSQL; ``api.orders.single_statement``)."""
        order, now = self.order, self.now
        payment, transaction = records.payment_rows(
            order, self.authorization, provider=self.provider, method=self.request.payment_method,
            credited=self.credited, now=now,
        )  # fmt: skip
        written = await insert_order_rows(
            uow,
            order,
            await records.line_rows(uow, None, self.prepared, self.plan, now, self.policy),
            self.plan,
            reservations.movement_rows(uow, self.holds, MovementKind.RESERVATION, reference=None),
            payment,
            transaction,
            self.call,
            now,
        )
        order.id = written.order_id
        for location_id, shipment_id in sorted(written.shipment_ids.items()):
            shipment_opened(uow, written.order_id, location_id, shipment_id)
        return written.order_id
