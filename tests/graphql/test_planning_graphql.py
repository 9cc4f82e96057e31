"""Planning over HTTP: demandForecast by day, replenishment and rebalancing suggestions and
the actions that carry them out, and what they refuse."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from api.auth import SYSTEM_ACTOR
from api.db import Database
from api.dbtypes import simulated_time
from api.inventory.service import set_safety_stock
from api.locations.models import Location
from api.orders.routing import OrderPolicy
from schema.relay import encode_global_id
from tests.factories import GraphQLClient, make_location, make_product, receive
from tests.service.fulfilment.conftest import Warehouse, make_warehouse

FORECAST = """query($sku: String!, $at: ID, $days: Int!, $history: Int!) {
  demandForecast(sku: $sku, locationId: $at, days: $days, historyDays: $history) {
    sku { code } location { code } method meanAbsoluteError naiveMeanAbsoluteError
    history { date units } forecast { date units } } }"""


async def berlin(database: Database) -> Location:
    await make_product(database, "SKU-1")
    return await make_location(database, "BER")


async def test_a_sku_without_sales_is_forecast_at_zero_day_by_day(
    admin: GraphQLClient, database: Database
) -> None:
    location = await berlin(database)
    assert location.id is not None
    variables = {"sku": "SKU-1", "at": encode_global_id("Location", location.id), "days": 3,
                 "history": 35}  # fmt: skip
    result = (await admin.data(FORECAST, variables))["demandForecast"]
    today = datetime.now(UTC).date()
    assert (result["sku"], result["location"]) == ({"code": "SKU-1"}, {"code": "BER"})
    assert [day["date"] for day in result["history"]][-1] == today.isoformat()
    assert len(result["history"]) == 35
    assert result["forecast"] == [
        {"date": (today + timedelta(days=step)).isoformat(), "units": 0.0} for step in (1, 2, 3)
    ]
    assert result["meanAbsoluteError"] == 0.0
    assert result["naiveMeanAbsoluteError"] == 0.0


async def test_unknown_skus_and_bad_horizons_are_client_errors(
    admin: GraphQLClient, support: GraphQLClient, database: Database
) -> None:
    await berlin(database)
    for variables, code in (
        ({"sku": "NOPE", "days": 7, "history": 28}, "NOT_FOUND"),
        ({"sku": "SKU-1", "days": 0, "history": 28}, "BAD_USER_INPUT"),
        ({"sku": "SKU-1", "at": encode_global_id("Sku", 1), "days": 7, "history": 28},
         "BAD_USER_INPUT"),
    ):  # fmt: skip
        body = await admin.execute(FORECAST, variables)
        assert body["errors"][0]["extensions"]["code"] == code, variables
    assert (await support.data(FORECAST, {"sku": "SKU-1", "days": 1, "history": 7}))[
        "demandForecast"
    ]["method"] == "mean"


SUGGESTIONS = """query($at: ID) {
  replenishmentSuggestions(locationId: $at) {
    location { code } sku { code } supplier { code } quantity packSize unitCost { amount }
    estimatedCost { amount currency } available incoming drafted position dailyDemand
    daysOfCover leadTimeDays leadTimeSource demandOverLeadTime safetyStock reorderPoint
    forecastMethod forecastError } }"""
REBALANCING = """query($sku: String) {
  rebalancingSuggestions(sku: $sku) {
    sku { code } fromLocation { code } toLocation { code } quantity fromAvailable
    fromDaysOfCover toAvailable toDaysOfCover toDaysOfCoverAfter } }"""
SET_TERMS = """mutation($input: SetSupplierSkuInput!) { setSupplierSku(input: $input) {
  supplier { code skus { sku { code } packSize unitCost { amount currency } } }
  userErrors { code field message } } }"""
ORDER = """mutation($input: OrderReplenishmentInput!) { orderReplenishment(input: $input) {
  purchaseOrder { status supplier { code } lines { sku { code } quantity unitCost { amount } } }
  userErrors { code field message } } }"""
TRANSFER = """mutation($input: TransferRebalancingInput!) { transferRebalancing(input: $input) {
  transfer { quantity } userErrors { code field } } }"""


async def steady_sales(warehouse: Warehouse, sku: str, days: int) -> None:
    today = datetime.now(UTC).replace(hour=0, minute=30)
    for days_ago in range(days - 1, -1, -1):
        with simulated_time(today - timedelta(days=days_ago)):
            await warehouse.place((sku, 1), email=f"buyer{days_ago}@example.com")


async def test_suggestions_and_the_actions_that_carry_them_out(
    admin: GraphQLClient, support: GraphQLClient, database: Database
) -> None:
    warehouse = await make_warehouse(database, OrderPolicy())
    await receive(database, warehouse.berlin, "S1", 20)
    await steady_sales(warehouse, "S1", 28)  # 2 of 30 left at Berlin
    await admin.data(
        'mutation { createSupplier(input: {code: "ACME", name: "Acme", leadTimeDays: 5})'
        " { supplier { code } } }"
    )
    terms = {"supplier": "ACME", "sku": "S1", "packSize": 6, "unitCost": 250}
    supplier = (await admin.data(SET_TERMS, {"input": terms}))["setSupplierSku"]["supplier"]
    assert supplier["skus"] == [
        {"sku": {"code": "S1"}, "packSize": 6, "unitCost": {"amount": 250, "currency": "EUR"}}
    ]

    berlin = encode_global_id("Location", warehouse.berlin.id)  # type: ignore[arg-type]
    (s1,) = (await admin.data(SUGGESTIONS, {"at": berlin}))["replenishmentSuggestions"]
    assert (s1["sku"], s1["supplier"], s1["available"], s1["leadTimeSource"]) == (
        {"code": "S1"}, {"code": "ACME"}, 2, "QUOTED"
    )  # fmt: skip
    assert s1["quantity"] > 0 and s1["quantity"] % 6 == 0
    assert s1["estimatedCost"] == {"amount": 250 * s1["quantity"], "currency": "EUR"}
    assert s1["reorderPoint"] >= s1["position"] == 2
    assert s1["reorderPoint"] == pytest.approx(
        s1["demandOverLeadTime"] + s1["safetyStock"], abs=0.02
    )

    order = {"locationId": berlin, "supplier": "ACME"}
    placed = (await admin.data(ORDER, {"input": order}))["orderReplenishment"]
    assert placed["purchaseOrder"]["status"] == "DRAFT"
    assert placed["purchaseOrder"]["lines"] == [
        {"sku": {"code": "S1"}, "quantity": s1["quantity"], "unitCost": {"amount": 250}}
    ]
    again = (await admin.data(ORDER, {"input": order}))["orderReplenishment"]
    assert again["purchaseOrder"] is None
    assert [error["code"] for error in again["userErrors"]] == ["NO_SUGGESTION"]
    assert (await admin.data(SUGGESTIONS, {"at": berlin}))["replenishmentSuggestions"] == []

    refused = await support.execute(ORDER, {"input": order})
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    unknown = await admin.data(SET_TERMS, {"input": {**terms, "supplier": "NOPE"}})
    assert unknown["setSupplierSku"]["userErrors"][0]["code"] == "NOT_FOUND"


async def test_a_rebalancing_suggestion_becomes_a_transfer(
    admin: GraphQLClient, database: Database
) -> None:
    warehouse = await make_warehouse(database, OrderPolicy())
    await receive(database, warehouse.munich, "S3", 30)
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        await set_safety_stock(uow, location_id=warehouse.berlin.id, sku_code="S3", quantity=10)  # type: ignore[arg-type]
    await steady_sales(warehouse, "S3", 28)  # Munich: 2 left, 1 a day
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        await set_safety_stock(uow, location_id=warehouse.berlin.id, sku_code="S3", quantity=0)  # type: ignore[arg-type]

    (move,) = (await admin.data(REBALANCING, {"sku": "S3"}))["rebalancingSuggestions"]
    assert (move["fromLocation"], move["toLocation"], move["quantity"]) == (
        {"code": "BER"}, {"code": "MUC"}, 10
    )  # fmt: skip
    assert (move["fromDaysOfCover"], move["toAvailable"]) == (None, 2)
    assert move["toDaysOfCoverAfter"] > move["toDaysOfCover"]
    ids = {
        "sku": "S3",
        "fromLocationId": encode_global_id("Location", warehouse.berlin.id),  # type: ignore[arg-type]
        "toLocationId": encode_global_id("Location", warehouse.munich.id),  # type: ignore[arg-type]
    }
    backwards = {
        **ids,
        "fromLocationId": ids["toLocationId"],
        "toLocationId": ids["fromLocationId"],
    }
    refused = (await admin.data(TRANSFER, {"input": backwards}))["transferRebalancing"]
    assert refused["userErrors"] == [{"code": "NO_SUGGESTION", "field": ["toLocationId"]}]
    done = (await admin.data(TRANSFER, {"input": ids}))["transferRebalancing"]
    assert (done["transfer"], done["userErrors"]) == ({"quantity": 10}, [])
    assert (await admin.data(REBALANCING, {"sku": "S3"}))["rebalancingSuggestions"] == []
