"""An order from placement to the customer's door over GraphQL, checked at every step."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest

from api.db import Database
from api.fulfilment.endpoints import report_signature
from api.settings import Settings
from schema.relay import encode_global_id
from tests.factories import GraphQLClient, make_channel, make_location, make_product, receive
from tests.invariants import assert_invariants

ERRORS = "userErrors { code field message }"
PLACE = f"""mutation($input: PlaceOrderInput!) {{ placeOrder(input: $input) {{
    order {{ id status shipments {{ id location {{ code }} }} }} {ERRORS} }} }}"""
ORDER = """query($id: ID!) { order(id: $id) { status paymentStatus fulfillmentStatus
    totals { total { amount } } payment { captured { amount } }
    lines { sku { code } quantityAllocated quantityBackordered quantityFulfilled }
    shipments { id status location { code } trackingNumber labelUrl
      lines { sku { code } quantity status } trackingEvents { status } } } }"""
LEVELS = """{ inventoryLevels(first: 50) { nodes { location { code } sku { code }
    onHand reserved discrepancy } } }"""
WAVE = f"""mutation($input: CreatePickListInput!) {{ createPickList(input: $input) {{
    pickList {{ id tasks {{ id sku {{ code }} quantity }} }} {ERRORS} }} }}"""
CONFIRM = f"""mutation($input: ConfirmPicksInput!) {{ confirmPicks(input: $input) {{
    pickList {{ status }} {ERRORS} }} }}"""
PACK = f"""mutation($input: PackShipmentInput!) {{ packShipment(input: $input) {{
    shipment {{ status }} {ERRORS} }} }}"""
SHIP = f"""mutation($input: ShipShipmentInput!) {{ shipShipment(input: $input) {{
    shipment {{ status carrier service trackingNumber labelUrl shippingCost {{ amount }} }} {ERRORS} }} }}"""
TRACK = f"""mutation($input: RecordTrackingEventInput!) {{ recordTrackingEvent(input: $input) {{
    shipment {{ status }} {ERRORS} }} }}"""


@pytest.fixture
async def shop(database: Database) -> dict[str, str]:
    """Berlin holds A and B, Munich holds A and C: a 3-line order from Potsdam must split."""
    await make_channel(database, "web")
    await make_product(database, "A", "B", "C")
    berlin, munich = await make_location(database, "BER"), await make_location(database, "MUC")
    for location, sku in ((berlin, "A"), (berlin, "B"), (munich, "A"), (munich, "C")):
        await receive(database, location, sku, 5)
    return {
        "BER": encode_global_id("Location", berlin.id),
        "MUC": encode_global_id("Location", munich.id),
    }  # type: ignore[arg-type]


async def levels(client: GraphQLClient) -> dict[tuple[str, str], tuple[int, int, int]]:
    nodes = (await client.data(LEVELS))["inventoryLevels"]["nodes"]
    return {
        (n["location"]["code"], n["sku"]["code"]): (n["onHand"], n["reserved"], n["discrepancy"])
        for n in nodes
    }


async def order(client: GraphQLClient, order_id: str) -> dict[str, Any]:
    return (await client.data(ORDER, {"id": order_id}))["order"]


async def ok(client: GraphQLClient, document: str, field: str, **variables: Any) -> dict[str, Any]:
    payload: dict[str, Any] = (await client.data(document, {"input": variables}))[field]
    assert payload["userErrors"] == [], payload
    return payload


async def test_split_order_short_pick_pack_ship_track_deliver(
    admin: GraphQLClient,
    http: httpx.AsyncClient,
    database: Database,
    settings: Settings,
    shop: dict[str, str],
) -> None:
    placed = await ok(
        admin,
        PLACE,
        "placeOrder",
        channel="web",
        customer={"email": "ada@example.com", "name": "Ada"},
        lines=[{"sku": "A", "quantity": 2}, {"sku": "B", "quantity": 1}, {"sku": "C", "quantity": 1}],
        shippingAddress={"name": "Ada", "line1": "Am Neuen Markt 1", "city": "Potsdam",
                         "postalCode": "14467", "country": "DE", "latitude": 52.39, "longitude": 13.06},
        payment={"method": "card", "token": "tok_visa"},
    )  # fmt: skip
    order_id = placed["order"]["id"]
    state = await order(admin, order_id)
    assert state["status"] == "CONFIRMED"
    assert [(s["location"]["code"], s["status"]) for s in state["shipments"]] == [
        ("BER", "PENDING"),
        ("MUC", "PENDING"),
    ]
    assert await levels(admin) == {
        ("BER", "A"): (5, 2, 0), ("BER", "B"): (5, 1, 0), ("MUC", "A"): (5, 0, 0), ("MUC", "C"): (5, 1, 0),
    }  # fmt: skip

    # Berlin's wave: one of the two A is missing; Munich has A, so it goes there
    berlin_wave = (await ok(admin, WAVE, "createPickList", locationId=shop["BER"]))["pickList"]
    picks = [
        {"taskId": task["id"], "quantity": 1 if task["sku"]["code"] == "A" else task["quantity"]}
        for task in berlin_wave["tasks"]
    ]
    await ok(admin, CONFIRM, "confirmPicks", pickListId=berlin_wave["id"], picks=picks)
    state = await order(admin, order_id)
    assert state["status"] == "PROCESSING"
    assert [(line["quantityAllocated"], line["quantityBackordered"]) for line in state["lines"]] == [
        (2, 0), (1, 0), (1, 0),
    ]  # fmt: skip
    berlin, munich = state["shipments"]
    assert [(x["sku"]["code"], x["quantity"], x["status"]) for x in berlin["lines"]] == [
        ("A", 1, "PICKED"), ("B", 1, "PICKED"),
    ]  # fmt: skip
    assert [(x["sku"]["code"], x["quantity"], x["status"]) for x in munich["lines"]] == [
        ("C", 1, "RESERVED"), ("A", 1, "RESERVED"),
    ]  # fmt: skip
    assert await levels(admin) == {
        ("BER", "A"): (4, 1, 1), ("BER", "B"): (5, 1, 0), ("MUC", "A"): (5, 1, 0), ("MUC", "C"): (5, 1, 0),
    }  # fmt: skip
    await assert_invariants(database)

    munich_wave = (await ok(admin, WAVE, "createPickList", locationId=shop["MUC"]))["pickList"]
    await ok(
        admin,
        CONFIRM,
        "confirmPicks",
        pickListId=munich_wave["id"],
        picks=[{"taskId": t["id"], "quantity": t["quantity"]} for t in munich_wave["tasks"]],
    )

    # packing checks the scan; shipping books a carrier and captures what left
    wrong = (
        await admin.data(
            PACK,
            {
                "input": {
                    "shipmentId": berlin["id"],
                    "packages": [{"weightGrams": 800}],
                    "scannedSkus": ["A", "C"],
                }
            },
        )
    )["packShipment"]
    assert (wrong["shipment"], wrong["userErrors"][0]["field"]) == (None, ["scannedSkus", "1"])
    for shipment, scanned in ((berlin, ["A", "B"]), (munich, ["C", "A"])):
        await ok(admin, PACK, "packShipment", shipmentId=shipment["id"],
                 packages=[{"weightGrams": 800, "lengthCm": 30, "widthCm": 20, "heightCm": 10}], scannedSkus=scanned)  # fmt: skip
    first = (await ok(admin, SHIP, "shipShipment", shipmentId=berlin["id"]))["shipment"]
    assert first["status"] == "SHIPPED" and first["trackingNumber"]
    state = await order(admin, order_id)
    assert (state["status"], state["paymentStatus"], state["fulfillmentStatus"]) == (
        "PARTIALLY_SHIPPED", "PARTIALLY_PAID", "PARTIALLY_FULFILLED",
    )  # fmt: skip
    again = (await ok(admin, SHIP, "shipShipment", shipmentId=berlin["id"]))["shipment"]
    assert again["trackingNumber"] == first["trackingNumber"]
    assert (await order(admin, order_id))["payment"] == state["payment"]  # nothing captured twice
    second = (await ok(admin, SHIP, "shipShipment", shipmentId=munich["id"]))["shipment"]
    state = await order(admin, order_id)
    assert (state["status"], state["paymentStatus"], state["fulfillmentStatus"]) == (
        "SHIPPED",
        "PAID",
        "FULFILLED",
    )
    assert state["payment"]["captured"]["amount"] == state["totals"]["total"]["amount"]
    assert [line["quantityFulfilled"] for line in state["lines"]] == [2, 1, 1]
    assert await levels(admin) == {
        ("BER", "A"): (3, 0, 1), ("BER", "B"): (4, 0, 0), ("MUC", "A"): (4, 0, 0), ("MUC", "C"): (4, 0, 0),
    }  # fmt: skip

    label = await http.get(first["labelUrl"])
    assert (label.status_code, label.headers["content-type"]) == (200, "application/pdf")
    assert label.content.startswith(b"%PDF")
    assert (
        await http.get(first["labelUrl"].replace("signature=", "signature=0"))
    ).status_code == 403

    # the carrier reports: one through GraphQL, one through the signed endpoint
    await ok(admin, TRACK, "recordTrackingEvent", trackingNumber=first["trackingNumber"],
             status="DELIVERED", occurredAt="2026-01-01T10:00:00+00:00")  # fmt: skip
    report = json.dumps({"trackingNumber": second["trackingNumber"], "status": "DELIVERED",
                         "occurredAt": "2026-01-01T12:00:00+00:00"}).encode()  # fmt: skip
    stamp = str(int(time.time()))
    forged = await http.post(
        "/carriers/swiftpost/events",
        content=report,
        headers={"x-oms-timestamp": stamp, "x-oms-signature": "sha256=00"},
    )
    assert forged.status_code == 401
    elsewhere = await http.post(
        "/carriers/roadrunner/events",
        content=report,
        headers={
            "x-oms-timestamp": stamp,
            "x-oms-signature": report_signature(settings.carrier_webhook_secret, stamp, report),
        },
    )
    assert (elsewhere.status_code, second["carrier"]) == (404, "SWIFTPOST")  # not its shipment
    signed = await http.post(
        "/carriers/swiftpost/events",
        content=report,
        headers={
            "x-oms-timestamp": stamp,
            "x-oms-signature": report_signature(settings.carrier_webhook_secret, stamp, report),
        },
    )
    assert (signed.status_code, signed.json()["shipmentStatus"]) == (200, "DELIVERED")
    state = await order(admin, order_id)
    assert state["status"] == "DELIVERED"
    assert [s["trackingEvents"] for s in state["shipments"]] == [[{"status": "DELIVERED"}]] * 2
    unknown = (
        await admin.data(
            TRACK,
            {
                "input": {
                    "trackingNumber": "NOPE1",
                    "status": "IN_TRANSIT",
                    "occurredAt": "2026-01-01T10:00:00+00:00",
                }
            },
        )
    )["recordTrackingEvent"]
    assert unknown["userErrors"][0]["code"] == "NOT_FOUND"
    await assert_invariants(database)
