"""Orders placed in a time range, streamed as CSV or JSON Lines in bounded memory.

The export reads a page of orders at a time in (placed_at, id) order, each page with its lines,
and yields it encoded before reading the next, so memory holds one page whatever the range.
Each page is read when it is reached: an order that changes during a long export shows its
state at the time its page was read.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

import orjson
from sqlalchemy import Integer, bindparam, select, tuple_

from api.catalog.models import Sku
from api.channels.models import Channel
from api.db import Database
from api.dbtypes import UtcDateTime
from api.errors import InvalidInput
from api.orders.models import Order, OrderLine, order_number
from api.reads import columns, keys_in
from api.spreadsheets import csv_text

PAGE_SIZE = 500
_order, _line, _sku, _channel = columns(Order), columns(OrderLine), columns(Sku), columns(Channel)


class ExportFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"


MEDIA_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.JSONL: "application/x-ndjson",
}

ORDER_COLUMNS = (
    "order_number", "placed_at", "status", "payment_status", "fulfillment_status", "channel",
    "external_reference", "email", "currency", "subtotal", "shipping_total", "tax_total", "total",
    "ship_name", "ship_line1", "ship_line2", "ship_city", "ship_region", "ship_postal_code",
    "ship_country",
)  # fmt: skip
LINE_COLUMNS = (
    "sku", "quantity", "unit_price", "quantity_allocated", "quantity_backordered",
    "quantity_fulfilled", "quantity_cancelled", "quantity_returned",
)  # fmt: skip
CSV_HEADER = ORDER_COLUMNS + LINE_COLUMNS

_ORDER_FIELDS = [
    _order.id, _order.placed_at, _order.status, _order.payment_status,
    _order.fulfilment_status, _channel.code, _order.external_reference, _order.email,
    _order.currency, _order.subtotal, _order.shipping_total, _order.tax_total, _order.total,
    _order.ship_name, _order.ship_line1, _order.ship_line2, _order.ship_city,
    _order.ship_region, _order.ship_postal_code, _order.ship_country,
]  # fmt: skip
_in_range = (_order.placed_at >= bindparam("start"), _order.placed_at < bindparam("end"))
_FIRST_PAGE = (
    select(*_ORDER_FIELDS)
    .join(_channel.id.table, _channel.id == _order.channel_id)
    .where(*_in_range)
    .order_by(_order.placed_at, _order.id)
    .limit(bindparam("size"))
)
_NEXT_PAGE = _FIRST_PAGE.where(
    tuple_(_order.placed_at, _order.id)
    > tuple_(bindparam("after_at", type_=UtcDateTime()), bindparam("after_id", type_=Integer()))
)


def _lines_of(dialect: str) -> Any:
    return (
        select(_line.order_id, _sku.code, *(getattr(_line, name) for name in LINE_COLUMNS[1:]))
        .join(_sku.id.table, _sku.id == _line.sku_id)
        .where(keys_in(_line.order_id, dialect))
        .order_by(_line.order_id, _line.id)
    )


def checked_range(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    if start.tzinfo is None or end.tzinfo is None:
        raise InvalidInput("give times with their UTC offset, e.g. 2026-11-01T00:00:00Z")
    if end <= start:
        raise InvalidInput("the end of the range must come after its start", field=["to"])
    return start, end


async def export_orders(
    database: Database, start: datetime, end: datetime, export_format: ExportFormat
) -> AsyncIterator[bytes]:
    """Orders placed in [start, end), oldest first: CSV with one row per order line (the
    order's columns repeated), or one JSON object per order with its lines."""
    start, end = checked_range(start, end)
    encode = _csv_page if export_format is ExportFormat.CSV else _jsonl_page
    if export_format is ExportFormat.CSV:
        yield _csv_rows([CSV_HEADER])
    after: tuple[datetime, int] | None = None
    while True:
        # A connection per page: a slow client holds no connection while it reads a page.
        async with database.reader() as reader:
            parameters: dict[str, Any] = {"start": start, "end": end, "size": PAGE_SIZE}
            if after is not None:
                parameters.update(after_at=after[0], after_id=after[1])
            orders = (await reader.execute(_NEXT_PAGE if after else _FIRST_PAGE, parameters)).all()
            if not orders:
                return
            lines = (
                await reader.execute(
                    _lines_of(reader.dialect.name), {"keys": [order[0] for order in orders]}
                )
            ).all()
        yield encode(orders, lines)
        if len(orders) < PAGE_SIZE:
            return
        after = (orders[-1][1], orders[-1][0])


def _grouped(lines: Sequence[Any]) -> dict[int, list[Any]]:
    by_order: dict[int, list[Any]] = {}
    for line in lines:
        by_order.setdefault(line[0], []).append(line[1:])
    return by_order


def _order_cells(order: Any) -> list[Any]:
    return [order_number(order[0]), order[1].isoformat(), *order[2:]]


def _csv_rows(rows: Sequence[Sequence[Any]]) -> bytes:
    return csv_text(rows, lineterminator="\n").encode()


def _csv_page(orders: Sequence[Any], lines: Sequence[Any]) -> bytes:
    by_order = _grouped(lines)
    return _csv_rows(
        [
            _order_cells(order) + list(line)
            for order in orders
            for line in by_order.get(order[0], [])
        ]
    )


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


_JSON_ORDER_KEYS = [_camel(name) for name in ORDER_COLUMNS]
_JSON_LINE_KEYS = [_camel(name) for name in LINE_COLUMNS]


def _jsonl_page(orders: Sequence[Any], lines: Sequence[Any]) -> bytes:
    by_order = _grouped(lines)
    documents = []
    for order in orders:
        cells = dict(zip(_JSON_ORDER_KEYS, _order_cells(order), strict=True))
        address = {key: cells.pop(key) for key in _JSON_ORDER_KEYS if key.startswith("ship")}
        cells["shippingAddress"] = {
            key[4].lower() + key[5:]: value for key, value in address.items()
        }
        cells["lines"] = [
            dict(zip(_JSON_LINE_KEYS, line, strict=True)) for line in by_order.get(order[0], [])
        ]
        documents.append(orjson.dumps(cells))
    return b"\n".join(documents) + b"\n"
