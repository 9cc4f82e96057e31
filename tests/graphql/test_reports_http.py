"""The reports as GraphQL queries and as CSV downloads."""

from __future__ import annotations

import csv
import io

import httpx
import pytest

from api.db import Database
from tests.factories import GraphQLClient, api_key
from tests.service.kpis.history import build_history, build_stock

STOCK_ROW = """{ locationCode sku onHand reserved available safetyStock unitsShipped dailySales
  daysOfCover lastShippedAt stockValue { amount currency } reason }"""
STOCK_REPORTS = f"""query($cover: Int!) {{
  lowStockReport(coverDays: $cover) {STOCK_ROW} slowMoversReport {STOCK_ROW} }}"""
AFTERCARE_REPORTS = """{ lateShipmentsReport { orderNumber locationCode status daysLate }
  openReturnsReport { bands { minDays maxDays status count }
                      oldest { orderNumber status ageDays units } } }"""


@pytest.fixture
async def shop(database: Database) -> Database:
    return await build_stock(database)


async def test_the_stock_reports(admin: GraphQLClient, shop: Database) -> None:
    data = await admin.data(STOCK_REPORTS, {"cover": 120})
    assert [(row["sku"], row["reason"]) for row in data["lowStockReport"]] == [
        ("A", "LOW_COVER"),
        ("C", "LOW_COVER"),
        ("B", "BELOW_SAFETY_STOCK"),
    ]
    assert data["lowStockReport"][0]["daysOfCover"] == 4.0
    slow = data["slowMoversReport"]
    assert [row["sku"] for row in slow] == ["D", "C", "B"] and slow[0]["reason"] is None
    assert slow[0]["stockValue"] == {"amount": 15_000, "currency": "EUR"}


async def test_the_aftercare_reports(admin: GraphQLClient, database: Database) -> None:
    await build_history(database)
    data = await admin.data(AFTERCARE_REPORTS)
    assert {row["status"] for row in data["lateShipmentsReport"]} == {"PENDING", "SHIPPED"}
    open_returns = data["openReturnsReport"]
    assert sorted(row["status"] for row in open_returns["oldest"]) == ["INSPECTED", "REQUESTED"]
    assert sum(band["count"] for band in open_returns["bands"]) == 2


async def test_bad_arguments_and_missing_scope(
    admin: GraphQLClient, warehouse: GraphQLClient, shop: Database
) -> None:
    body = await admin.execute("{ lowStockReport(first: 0) { sku } }")
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["reason"] == "INVALID_INPUT"
    body = await warehouse.execute("{ lateShipmentsReport { orderNumber } }")
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_csv_downloads(http: httpx.AsyncClient, database: Database, shop: Database) -> None:
    key = await api_key(database, "reports:read")
    auth = {"authorization": f"Bearer {key}"}
    response = await http.get(
        "/reports/low-stock.csv", params={"location": "BER", "coverDays": "120"}, headers=auth
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(row["sku"], row["days_of_cover"], row["reason"]) for row in rows] == [
        ("A", "4.0", "LOW_COVER"),
        ("C", "100.0", "LOW_COVER"),
        ("B", "", "BELOW_SAFETY_STOCK"),
    ]
    for name in ("slow-movers", "late-shipments", "open-returns"):
        found = await http.get(f"/reports/{name}.csv", headers=auth)
        assert found.status_code == 200 and found.text.split(",")[0] in (
            "location",
            "order",
            "return_id",
        ), name


async def test_csv_refusals(http: httpx.AsyncClient, database: Database, shop: Database) -> None:
    assert (await http.get("/reports/low-stock.csv")).status_code == 401
    other = {"authorization": f"Bearer {await api_key(database, 'orders:read')}"}
    assert (await http.get("/reports/low-stock.csv", headers=other)).status_code == 403
    auth = {"authorization": f"Bearer {await api_key(database, 'reports:read')}"}
    assert (await http.get("/reports/no-such.csv", headers=auth)).status_code == 404
    for params in ({"location": "NOWHERE"}, {"coverDays": "many"}, {"first": "0"}):
        refused = await http.get("/reports/low-stock.csv", params=params, headers=auth)
        assert refused.status_code == 400, params
