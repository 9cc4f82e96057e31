"""A placed order's rows in one PostgreSQL statement.

The order, its lines, its shipments, its allocations, its ledger rows and its payment with the
authorisation are written by one INSERT with data-modifying common table expressions, the
later rows taking the earlier ones' ids from their RETURNING clauses. Written one statement
each, they cost seven round trips, and on a busy server each round trip costs the API and the
database more CPU than the row it carries. SQLite has no data-modifying CTEs and writes them
one by one (``api.orders.placement``); both ways write the same rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import TextClause, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY

from api.db import UnitOfWork
from api.dbtypes import UtcDateTime
from api.orders import rules
from api.orders.models import Order, order_number_sql
from api.orders.statuses import AllocationStatus, ShipmentStatus
from api.payments.calls import Made
from api.payments.models import Payment, PaymentTransaction
from api.payments.statuses import CallStatus
from api.sourcing.rules import RoutingPlan
from api.writes import CURRENT_TRANSACTION_ID


@dataclass(frozen=True)
class WrittenOrder:
    order_id: int
    shipment_ids: dict[int, int]
    """location id -> the shipment opened there."""


_ORDER_SKIPS = ("id",)
_PAYMENT_SKIPS = ("id", "order_id")  # the order's, from the statement
_TRANSACTION_SKIPS = ("id", "payment_id")  # the payment's, from the statement


def _columns(model: type[Any], skip: Sequence[str]) -> list[Any]:
    return [column for column in model.__table__.columns if column.name not in skip]


def _row_values(prefix: str, row: Any, skip: Sequence[str]) -> dict[str, Any]:
    return {
        f"{prefix}{column.name}": getattr(row, column.name) for column in _columns(type(row), skip)
    }


def _arrays(prefix: str, rows: list[dict[str, Any]], **keys: str) -> dict[str, list[Any]]:
    """One array parameter per column of ``rows``: ``name=key`` binds ``prefix + name``."""
    return {f"{prefix}{name}": [row[key] for row in rows] for name, key in keys.items()}


@cache
def _statement() -> TextClause:
    order_columns = _columns(Order, _ORDER_SKIPS)
    payment_columns = _columns(Payment, _PAYMENT_SKIPS)
    transaction_columns = _columns(PaymentTransaction, _TRANSACTION_SKIPS)

    def names(columns: list[Any], prefix: str = "") -> str:
        return ", ".join(f"{prefix}{column.name}" for column in columns)

    statement = text(
        f"""
WITH o AS (
  INSERT INTO sales_order ({names(order_columns)})
  VALUES ({names(order_columns, ":")})
  RETURNING id
), l AS (
  INSERT INTO order_line (order_id, sku_id, quantity, unit_price, quantity_allocated,
    quantity_backordered, quantity_fulfilled, quantity_cancelled, quantity_returned,
    backorder_promised_at, filled_as_placed, was_backordered, created_at)
  SELECT o.id, u.sku_id, u.quantity, u.unit_price, u.allocated, u.backordered, 0, 0, 0,
    u.promised_at, u.filled_as_placed, u.was_backordered, :now
  FROM o CROSS JOIN unnest(
    CAST(:line_sku_ids AS INTEGER[]), CAST(:line_quantities AS INTEGER[]),
    CAST(:line_prices AS INTEGER[]), CAST(:line_allocated AS INTEGER[]),
    CAST(:line_backordered AS INTEGER[]), CAST(:line_promised_at AS TIMESTAMPTZ[]),
    CAST(:line_filled_as_placed AS BOOLEAN[]), CAST(:line_was_backordered AS BOOLEAN[])
  ) AS u(sku_id, quantity, unit_price, allocated, backordered, promised_at, filled_as_placed,
    was_backordered)
  RETURNING id, sku_id
), s AS (
  INSERT INTO shipment (order_id, location_id, status, shipping_cost, currency, created_at,
    version, updated_at)
  SELECT o.id, u.location_id, :shipment_status, 0, :currency, :now, 0, :now
  FROM o CROSS JOIN unnest(CAST(:shipment_locations AS INTEGER[])) AS u(location_id)
  RETURNING id, location_id
), a AS (
  INSERT INTO allocation (order_id, order_line_id, location_id, sku_id, quantity, status,
    reason, shipment_id, created_at)
  SELECT o.id, l.id, u.location_id, u.sku_id, u.quantity, :allocation_status, u.reason, s.id,
    :now
  FROM o CROSS JOIN unnest(
    CAST(:allocation_sku_ids AS INTEGER[]), CAST(:allocation_locations AS INTEGER[]),
    CAST(:allocation_quantities AS INTEGER[]), CAST(:allocation_reasons AS TEXT[])
  ) AS u(sku_id, location_id, quantity, reason)
  JOIN l ON l.sku_id = u.sku_id
  JOIN s ON s.location_id = u.location_id
), m AS (
  INSERT INTO inventory_movement (transaction_id, location_id, sku_id, bucket, kind, quantity,
    reference, actor, created_at)
  SELECT {CURRENT_TRANSACTION_ID}, u.location_id, u.sku_id, u.bucket, u.kind, u.quantity,
    {order_number_sql("o.id")}, u.actor, u.created_at
  FROM o CROSS JOIN unnest(
    CAST(:movement_locations AS INTEGER[]), CAST(:movement_sku_ids AS INTEGER[]),
    CAST(:movement_buckets AS TEXT[]), CAST(:movement_kinds AS TEXT[]),
    CAST(:movement_quantities AS INTEGER[]), CAST(:movement_actors AS TEXT[]),
    CAST(:movement_created_at AS TIMESTAMPTZ[])
  ) AS u(location_id, sku_id, bucket, kind, quantity, actor, created_at)
), p AS (
  INSERT INTO payment (order_id, {names(payment_columns)})
  SELECT o.id, {names(payment_columns, ":payment_")} FROM o
  RETURNING id
), t AS (
  INSERT INTO payment_transaction (payment_id, {names(transaction_columns)})
  SELECT p.id, {names(transaction_columns, ":transaction_")} FROM p
), c AS (
  UPDATE payment_call SET status = :call_status, provider_reference = :call_reference,
    settled_at = :now, request = NULL
  WHERE id = :call_id AND status = :call_pending
)
SELECT o.id, s.id AS shipment_id, s.location_id FROM o LEFT JOIN s ON true
"""
    )
    typed = [bindparam(column.name, type_=column.type) for column in order_columns]
    typed += [bindparam(f"payment_{c.name}", type_=c.type) for c in payment_columns]
    typed += [bindparam(f"transaction_{c.name}", type_=c.type) for c in transaction_columns]
    typed += [
        bindparam("now", type_=UtcDateTime),
        bindparam("line_promised_at", type_=ARRAY(UtcDateTime)),
        bindparam("movement_created_at", type_=ARRAY(UtcDateTime)),
    ]
    return statement.bindparams(*typed)


async def insert_order_rows(
    uow: UnitOfWork,
    order: Order,
    lines: list[dict[str, Any]],
    plan: RoutingPlan,
    movements: list[dict[str, Any]],
    payment: Payment,
    transaction: PaymentTransaction,
    call: Made | None,
    now: datetime,
) -> WrittenOrder:
    """Writes the order and the rows it is made of (the ledger rows' reference is the order's
    number, known once the order has its id), and settles its authorisation's payment call
    (``api.payments.calls.settle``, whose refusal of a call the reconciler finished is not
    needed here: it takes only calls far older than any placement)."""
    values: dict[str, Any] = {
        **_row_values("", order, _ORDER_SKIPS),
        **_row_values("payment_", payment, _PAYMENT_SKIPS),
        **_row_values("transaction_", transaction, _TRANSACTION_SKIPS),
        **_arrays("line_", lines, sku_ids="sku_id", quantities="quantity", prices="unit_price",
                  allocated="quantity_allocated", backordered="quantity_backordered",
                  promised_at="backorder_promised_at", filled_as_placed="filled_as_placed",
                  was_backordered="was_backordered"),
        **_arrays("movement_", movements, locations="location_id", sku_ids="sku_id",
                  buckets="bucket", kinds="kind", quantities="quantity", actors="actor",
                  created_at="created_at"),
        "now": now,
        "currency": order.currency,
        "shipment_status": rules.SHIPMENT.start(ShipmentStatus.PENDING).value,
        "shipment_locations": sorted({a.location_id for a in plan.allocations}),
        "allocation_status": rules.ALLOCATION.start(AllocationStatus.RESERVED).value,
        "allocation_sku_ids": [a.sku_id for a in plan.allocations],
        "allocation_locations": [a.location_id for a in plan.allocations],
        "allocation_quantities": [a.quantity for a in plan.allocations],
        "allocation_reasons": [a.reason for a in plan.allocations],
        "call_id": call.call_id if call is not None else None,
        "call_reference": call.reference if call is not None else None,
        "call_status": CallStatus.SUCCEEDED.value,
        "call_pending": CallStatus.PENDING.value,
    }  # fmt: skip
    rows = (await uow.session.execute(_statement(), values)).all()
    return WrittenOrder(
        order_id=rows[0].id,
        shipment_ids={row.location_id: row.shipment_id for row in rows if row.shipment_id},
    )
