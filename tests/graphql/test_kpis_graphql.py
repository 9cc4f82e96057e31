"""The kpis query over HTTP on the hand-worked history (tests/service/kpis)."""

from __future__ import annotations

from typing import Any

import pytest

from api.db import Database
from schema.relay import encode_global_id
from tests.factories import GraphQLClient
from tests.service.kpis.history import END, START, History, build_history

RATIO = "{ count outOf rate }"
FIGURES = f"""{{ start orders revenue {{ amount currency }} cancellationRate {RATIO}
  backorderRate {RATIO} fillRate {RATIO} splitShipmentRate {RATIO} shippedOrders
  timeToShip {{ p50Hours p90Hours }} timeToDeliver {{ p50Hours p90Hours }}
  onTimeDeliveryRate {RATIO} returnRate {RATIO} orderAccuracy {RATIO}
  averageShippingCost {{ amount }} costOfGoodsShipped {{ amount }}
  averageInventoryValue {{ amount }} inventoryTurnover daysOnHand stockOutRate {RATIO}
  csat {RATIO} averageRating pickPathSaving walkedMetres orderByOrderMetres }}"""
KPIS = f"""query($from: DateTime!, $to: DateTime!, $channel: ID, $location: ID,
    $granularity: KpiGranularity! = DAY) {{
  kpis(from: $from, to: $to, channel: $channel, location: $location,
       granularity: $granularity) {{
    from to granularity currency totals {FIGURES} series {FIGURES} }} }}"""
PERIOD = {"from": START.isoformat(), "to": END.isoformat()}


@pytest.fixture
async def history(database: Database) -> History:
    return await build_history(database)


async def kpis(client: GraphQLClient, **variables: Any) -> dict[str, Any]:
    report: dict[str, Any] = (await client.data(KPIS, PERIOD | variables))["kpis"]
    return report


async def test_totals_and_series(admin: GraphQLClient, history: History) -> None:
    report = await kpis(admin)
    totals = report["totals"]
    assert (report["granularity"], report["currency"]) == ("DAY", "EUR")
    assert totals["orders"] == 5 and totals["revenue"] == {"amount": 19_000, "currency": "EUR"}
    assert totals["fillRate"] == {"count": 3, "outOf": 5, "rate": 0.6}
    assert totals["timeToShip"] == {"p50Hours": 10.0, "p90Hours": 24.0}
    assert totals["onTimeDeliveryRate"]["count"] == 2 and totals["orderAccuracy"]["outOf"] == 3
    assert totals["averageShippingCost"] == {"amount": 600}
    assert totals["averageInventoryValue"] == {"amount": 5_125}
    assert totals["stockOutRate"] == {"count": 1, "outOf": 4, "rate": 0.25}
    assert totals["csat"]["count"] == 2 and totals["pickPathSaving"] is not None
    assert [point["start"] for point in report["series"]] == ["2026-03-02", "2026-03-03"]
    assert [point["orders"] for point in report["series"]] == [3, 2]
    assert report["series"][1]["timeToDeliver"] == {"p50Hours": None, "p90Hours": None}


async def test_narrowed_by_channel_and_location(admin: GraphQLClient, history: History) -> None:
    by_channel = await kpis(admin, channel=encode_global_id("Channel", history.app))
    assert by_channel["totals"]["orders"] == 1
    by_location = await kpis(admin, location=encode_global_id("Location", history.berlin))
    assert by_location["totals"]["splitShipmentRate"] == {"count": 0, "outOf": 3, "rate": 0.0}
    weekly = await kpis(admin, granularity="WEEK")
    assert [point["start"] for point in weekly["series"]] == ["2026-03-02"]


async def test_bad_arguments_are_client_errors(admin: GraphQLClient, history: History) -> None:
    for variables, code in (
        ({"from": END.isoformat(), "to": START.isoformat()}, "BAD_USER_INPUT"),
        ({"from": "2020-01-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"}, "BAD_USER_INPUT"),
        ({"channel": encode_global_id("Location", history.berlin)}, "BAD_USER_INPUT"),
    ):
        body = await admin.execute(KPIS, PERIOD | variables)
        assert body["errors"][0]["extensions"]["code"] == code, variables


async def test_kpis_need_reports_read(warehouse: GraphQLClient, support: GraphQLClient) -> None:
    for client in (warehouse, support):
        body = await client.execute(KPIS, PERIOD)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_turnover_per_location_and_sku(admin: GraphQLClient, history: History) -> None:
    query = """query($from: DateTime!, $to: DateTime!, $at: ID) {
      inventoryTurnover(from: $from, to: $to, locationId: $at) {
        locationCode sku unitsShipped averageOnHand turnover daysOnHand
        averageInventoryValue { amount currency } } }"""
    levels = (await admin.data(query, PERIOD))["inventoryTurnover"]
    assert [(level["locationCode"], level["sku"]) for level in levels] == [
        ("BER", "A"),
        ("HAM", "B"),
    ]
    assert levels[0]["averageInventoryValue"] == {"amount": 4_250, "currency": "EUR"}
    hamburg = encode_global_id("Location", history.hamburg)
    only = (await admin.data(query, PERIOD | {"at": hamburg}))["inventoryTurnover"]
    assert [level["sku"] for level in only] == ["B"] and only[0]["unitsShipped"] == 1
