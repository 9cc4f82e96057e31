"""Imports through the GraphQL multipart request spec: the operation in one form part, the file
in another, mapped onto the ``file`` variable."""

from __future__ import annotations

import json
from typing import Any

import httpx
from sqlalchemy import func, select

from api.auth import Role
from api.catalog.models import Sku
from api.db import Database
from tests.factories import make_location, staff_token

IMPORT_SKUS = """mutation($file: Upload!, $dryRun: Boolean!) {
  importSkus(file: $file, dryRun: $dryRun) {
    result { rows created updated unchanged dryRun }
    userErrors { field message code }
  }
}"""
IMPORT_LEVELS = """mutation($file: Upload!) {
  importInventoryLevels(file: $file) {
    result { rows created updated unchanged }
    userErrors { field message code }
  }
}"""


async def upload(
    http: httpx.AsyncClient,
    token: str | None,
    query: str,
    csv: bytes,
    variables: dict[str, Any] | None = None,
) -> httpx.Response:
    operations = {"query": query, "variables": {"file": None, **(variables or {})}}
    return await http.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})},
        files={"0": ("skus.csv", csv, "text/csv")},
        headers={"authorization": f"Bearer {token}"} if token else {},
    )


async def sku_count(database: Database) -> int:
    async with database.session() as session:
        return (await session.execute(select(func.count()).select_from(Sku))).scalar_one()


async def test_an_uploaded_file_is_checked_then_imported(
    http: httpx.AsyncClient, database: Database
) -> None:
    token = await staff_token(database, Role.MANAGER)
    csv = b"sku,name,price\nUP-1,Uploaded,100\nUP-2,Uploaded 2,200\n"
    checked = await upload(http, token, IMPORT_SKUS, csv, {"dryRun": True})
    assert checked.json()["data"]["importSkus"] == {
        "result": {"rows": 2, "created": 2, "updated": 0, "unchanged": 0, "dryRun": True},
        "userErrors": [],
    }
    assert await sku_count(database) == 0
    done = await upload(http, token, IMPORT_SKUS, csv, {"dryRun": False})
    assert done.json()["data"]["importSkus"]["result"]["created"] == 2
    assert await sku_count(database) == 2


async def test_row_errors_come_back_as_user_errors_naming_line_and_column(
    http: httpx.AsyncClient, database: Database
) -> None:
    token = await staff_token(database, Role.ADMIN)
    csv = b"sku,name,price\nUP-1,Uploaded,100\nUP-2,,abc\n"
    answer = (await upload(http, token, IMPORT_SKUS, csv, {"dryRun": False})).json()
    assert answer["data"]["importSkus"] == {
        "result": None,
        "userErrors": [
            {"field": ["file"], "message": "2 errors; none of these rows was imported",
             "code": "INVALID_INPUT"},
            {"field": ["file", "3", "price"], "message": "price 'abc': not a whole number",
             "code": "INVALID_INPUT"},
            {"field": ["file", "3", "name"], "message": "a new SKU needs a name",
             "code": "INVALID_INPUT"},
        ],
    }  # fmt: skip
    assert await sku_count(database) == 0


async def test_levels_import_needs_inventory_write_and_catalog_import_catalog_write(
    http: httpx.AsyncClient, database: Database
) -> None:
    await make_location(database, "BER")
    warehouse = await staff_token(database, Role.WAREHOUSE)
    refused = await upload(http, warehouse, IMPORT_SKUS, b"sku\nA\n", {"dryRun": True})
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    manager = await staff_token(database, Role.MANAGER, email="m@example.com")
    await upload(http, manager, IMPORT_SKUS, b"sku,name,price\nA-1,A,1\n", {"dryRun": False})
    counted = await upload(http, warehouse, IMPORT_LEVELS, b"location,sku,on_hand\nBER,A-1,4\n")
    assert counted.json()["data"]["importInventoryLevels"]["result"] == {
        "rows": 1, "created": 1, "updated": 0, "unchanged": 0,
    }  # fmt: skip


async def test_an_upload_without_credentials_is_refused_before_reading_it(
    http: httpx.AsyncClient, database: Database
) -> None:
    refused = await upload(http, None, IMPORT_SKUS, b"sku\nA\n", {"dryRun": True})
    assert refused.status_code == 415
    assert "valid credentials" in refused.json()["errors"][0]["message"]


async def test_an_oversized_file_is_refused(
    http: httpx.AsyncClient, database: Database, app: Any
) -> None:
    app.state.settings.import_max_bytes = 2048
    token = await staff_token(database, Role.ADMIN)
    big = b"sku,name,price\n" + b"A-1,Name,1\n" * 300
    answer = (await upload(http, token, IMPORT_SKUS, big, {"dryRun": True})).json()
    assert answer["data"]["importSkus"]["userErrors"][0]["message"] == (
        "the file is larger than 2048 bytes"
    )
