"""The outbox: the event log becomes messages to customers.

A projection of the log (``api.events.projections``): each batch of events is read in commit
order, the messages they call for are rendered and written, and the projection's cursor moves,
in one transaction, so an event becomes its messages exactly once however many processes run
the outbox. A message is rendered when it is made, from the order as it is then, and kept
whole: staff read what the customer reads, and a resend sends the same words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col

from api.auth import SYSTEM_ACTOR
from api.catalog.models import Sku
from api.customers.models import Customer
from api.db import Database, UnitOfWork
from api.dbtypes import utcnow
from api.events.models import Event
from api.events.projections import follow
from api.events.topics import order_id_of
from api.fulfilment.endpoints import label_path
from api.notifications import rendering
from api.notifications.models import Message
from api.notifications.rules import MESSAGE, NOT_TRANSACTIONAL, kinds_for
from api.notifications.statuses import MessageKind, MessageStatus
from api.notifications.unsubscribing import unsubscribe_path
from api.orders.links import link_token
from api.orders.models import Order, OrderLine, Shipment, order_number
from api.reads import Reader, as_records, columns, keys_in
from api.settings import Settings

NAME = "notifications"
BATCH = 200


@dataclass(frozen=True)
class OrderFacts:
    """What a message about one order tells: the order, its lines by name, its customer."""

    order: Order
    lines: list[dict[str, Any]]
    backordered: list[dict[str, Any]]
    customer: Customer


async def catch_up(database: Database, settings: Settings) -> int:
    """Messages for every event committed since the outbox last moved: how many events."""

    async def apply(uow: UnitOfWork, events: list[Event]) -> None:
        await make_messages(uow, events, settings)

    return await follow(database, NAME, Event, apply, batch=BATCH)


async def make_messages(uow: UnitOfWork, events: Sequence[Event], settings: Settings) -> int:
    """Writes the messages ``events`` call for: how many they call for (a message an event was
    already made into is not written again)."""
    told = [
        (event, kind, order_id)
        for event in events
        if (order_id := order_id_of(event)) is not None
        for kind in kinds_for(event.type, event.payload)
    ]
    if not told:
        return 0
    reader = await uow.session.connection()
    facts = await _order_facts(reader, {order_id for _, _, order_id in told})
    shipments = await _shipments(
        reader, {e.aggregate_id for e, _, _ in told if e.aggregate_type == "shipment"}
    )
    now = utcnow()
    rows = []
    for event, kind, order_id in told:
        if order_id not in facts:
            continue
        shipment = shipments.get(event.aggregate_id) if event.aggregate_type == "shipment" else None
        rows.append(_row(event, kind, facts[order_id], shipment, settings, now))
    if rows:
        dialect = postgresql if uow.database.engine.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(Message).on_conflict_do_nothing(
            index_elements=["event_id", "kind"]
        )
        await uow.session.execute(statement, rows)
    return len(rows)


def _row(
    event: Event,
    kind: MessageKind,
    about: OrderFacts,
    shipment: Shipment | None,
    settings: Settings,
    now: Any,
) -> dict[str, Any]:
    customer, order = about.customer, about.order
    transactional = kind not in NOT_TRANSACTIONAL
    opted_out = not transactional and customer.surveys_opted_out_at is not None
    locale = rendering.locale_for(customer.locale, settings.default_locale)
    rendered = rendering.render(
        kind,
        locale,
        _context(event, kind, about, shipment, settings, locale),
        order.currency,
    )
    delay = timedelta(hours=settings.survey_delay_hours if not transactional else 0)
    return {
        "order_id": order.id,
        "customer_id": customer.id,
        "event_id": event.id,
        "kind": kind.value,
        "transactional": transactional,
        "locale": rendered.locale,
        "recipient": order.email,
        "subject": rendered.subject[:300],
        "text_body": rendered.text,
        "html_body": rendered.html,
        "status": MESSAGE.start(MessageStatus.SUPPRESSED if opted_out else MessageStatus.PENDING),
        "attempts": 0,
        "next_attempt_at": now + delay,
        "created_at": now,
        "created_by": SYSTEM_ACTOR,
    }


def customer_page_url(order: Order, settings: Settings) -> str:
    """The customer's page of ``order``: the link token rides in the fragment, which browsers
    never send to a server, so no access log or referrer carries it."""
    assert order.id is not None
    token = link_token(order.id, order.tracking_token_hash, settings.secret_key)
    return f"{settings.customer_page_url}#{token}"


def _context(
    event: Event,
    kind: MessageKind,
    about: OrderFacts,
    shipment: Shipment | None,
    settings: Settings,
    locale: str,
) -> dict[str, Any]:
    order, payload = about.order, event.payload
    assert order.id is not None and about.customer.id is not None
    page = customer_page_url(order, settings)
    return {
        "locale": locale,
        "shop": {"name": settings.shop_name, "support_email": settings.support_email},
        "customer": {"name": about.customer.name},
        "order": {
            "number": order_number(order.id),
            "placed_at": order.placed_at,
            "promised_at": order.promised_at,
            "lines": about.lines,
            "subtotal": order.subtotal,
            "shipping": order.shipping_total,
            "tax": order.tax_total,
            "total": order.total,
        },
        "tracking_url": page,
        "backorders": about.backordered,
        "shipment": {
            "carrier": shipment.carrier if shipment else payload.get("carrier"),
            "service": shipment.service if shipment else payload.get("service"),
            "tracking_number": payload.get("trackingNumber")
            or (shipment.tracking_number if shipment else None),
            "estimated_delivery_at": shipment.estimated_delivery_at if shipment else None,
        },
        "cancellation": {"reason": payload.get("reason")},
        "refund": {"amount": payload.get("amount", 0)},
        "return_label_url": (
            settings.public_url + label_path(int(payload["returnId"]), settings, kind="return")
            if kind is MessageKind.RETURN_APPROVED
            else None
        ),
        "survey_url": page if kind is MessageKind.FEEDBACK_REQUESTED else None,
        "unsubscribe_url": (
            settings.public_url + unsubscribe_path(about.customer.id, settings.secret_key)
            if kind in NOT_TRANSACTIONAL
            else None
        ),
    }


async def _order_facts(reader: Reader, order_ids: set[int]) -> dict[int, OrderFacts]:
    keys = {"keys": sorted(order_ids)}
    dialect = reader.dialect.name
    orders = as_records(
        (
            await reader.execute(
                select(*columns(Order)).where(keys_in(col(Order.id), dialect)), keys
            )
        ),
        Order,
    )
    customer_ids = {"keys": sorted({order.customer_id for order in orders})}
    customers = {
        customer.id: customer
        for customer in as_records(
            await reader.execute(
                select(*columns(Customer)).where(keys_in(col(Customer.id), dialect)),
                customer_ids,
            ),
            Customer,
        )
    }
    lines: dict[int, list[dict[str, Any]]] = {order_id: [] for order_id in order_ids}
    backordered: dict[int, list[dict[str, Any]]] = {order_id: [] for order_id in order_ids}
    found = await reader.execute(
        select(*columns(OrderLine), col(Sku.code), col(Sku.name))
        .join(Sku, col(Sku.id) == col(OrderLine.sku_id))
        .where(keys_in(col(OrderLine.order_id), dialect))
        .order_by(col(OrderLine.id)),
        keys,
    )
    for line in found.all():
        kept = line.quantity - line.quantity_cancelled
        if kept:
            lines[line.order_id].append(
                {"name": line.name, "sku": line.code, "quantity": kept,
                 "unit_price": line.unit_price, "total": kept * line.unit_price}
            )  # fmt: skip
        if line.quantity_backordered:
            backordered[line.order_id].append(
                {"name": line.name, "quantity": line.quantity_backordered,
                 "promised_at": line.backorder_promised_at}
            )  # fmt: skip
    return {
        order.id: OrderFacts(order, lines[order.id], backordered[order.id], customer)
        for order in orders
        if order.id is not None and (customer := customers.get(order.customer_id)) is not None
    }


async def _shipments(reader: Reader, shipment_ids: set[int]) -> dict[int, Shipment]:
    if not shipment_ids:
        return {}
    found = await reader.execute(
        select(*columns(Shipment)).where(keys_in(col(Shipment.id), reader.dialect.name)),
        {"keys": sorted(shipment_ids)},
    )
    return {shipment.id: shipment for shipment in as_records(found, Shipment) if shipment.id}
