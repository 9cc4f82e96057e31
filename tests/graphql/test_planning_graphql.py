"""demandForecast over HTTP: the history and forecast by day, and what it refuses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from api.db import Database
from api.locations.models import Location
from schema.relay import encode_global_id
from tests.factories import GraphQLClient, make_location, make_product

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
        ({"sku": "SKU-1", "days": 0, "history": 28}, "INVALID_INPUT"),
        ({"sku": "SKU-1", "at": encode_global_id("Sku", 1), "days": 7, "history": 28},
         "BAD_USER_INPUT"),
    ):  # fmt: skip
        body = await admin.execute(FORECAST, variables)
        assert body["errors"][0]["extensions"]["code"] == code, variables
    assert (await support.data(FORECAST, {"sku": "SKU-1", "days": 1, "history": 7}))[
        "demandForecast"
    ]["method"] == "mean"
