"""Shipments and pick lists over HTTP: waves, confirmations with a short pick, permissions."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from api.db import Database
from api.locations.models import Location
from schema.relay import encode_global_id
from tests.factories import GraphQLClient, receive
from tests.graphql.test_orders_graphql import place, stocked  # noqa: F401  (fixture)

ERRORS = "userErrors { __typename code field message }"
CREATE_BIN = """mutation($input: CreateBinInput!) { createBin(input: $input) { bin { code } userErrors { code } } }"""
ASSIGN_BIN = f"""mutation($input: AssignBinInput!) {{ assignBin(input: $input) {{
    inventoryLevel {{ bin {{ code aisle bay }} sku {{ code }} }} {ERRORS} }} }}"""
PICK_LIST = """id status walkingDistance naiveWalkingDistance walkingDistanceSaved
    progress { tasks tasksConfirmed units unitsPicked }
    tasks { id sequence quantity quantityPicked status sku { code } bin { code } }
    shipments { status order { number } lines { quantity status sku { code } } }"""
CREATE_PICK_LIST = f"""mutation($input: CreatePickListInput!) {{ createPickList(input: $input) {{
    pickList {{ {PICK_LIST} }} {ERRORS} }} }}"""
CONFIRM = f"""mutation($input: ConfirmPicksInput!) {{ confirmPicks(input: $input) {{
    pickList {{ {PICK_LIST} }} {ERRORS} }} }}"""
ORDER_SHIPMENTS = """query($id: ID!) { order(id: $id) { status
    lines { quantityAllocated quantityBackordered }
    shipments { status location { code } lines { quantity status sku { code } } } } }"""


@pytest.fixture
async def berlin_id(admin: GraphQLClient, database: Database, stocked: None) -> str:  # noqa: F811
    """Berlin's bins: TEE-M in aisle 1, TEE-L in aisle 2; Berlin holds some of each."""
    locations = await admin.data("{ locations { nodes { id code } } }")
    berlin = next(n["id"] for n in locations["locations"]["nodes"] if n["code"] == "BER")
    for code, aisle, bay in (("A-01", 1, 3), ("B-01", 2, 4)):
        created = await admin.data(
            CREATE_BIN, {"input": {"locationId": berlin, "code": code, "aisle": aisle, "bay": bay}}
        )
        assert created["createBin"]["userErrors"] == []
    for sku, bin_code in (("TEE-M", "A-01"), ("TEE-L", "B-01")):
        assigned = await admin.data(
            ASSIGN_BIN, {"input": {"locationId": berlin, "sku": sku, "bin": bin_code}}
        )
        assert assigned["assignBin"]["userErrors"] == []

    async with database.session() as session:
        location = (
            await session.execute(select(Location).where(Location.code == "BER"))
        ).scalar_one()
    await receive(database, location, "TEE-L", 1)
    return str(berlin)


async def test_a_wave_confirmed_with_a_short_pick_over_graphql(
    admin: GraphQLClient, warehouse: GraphQLClient, berlin_id: str
) -> None:
    first = (await place(admin, lines=[{"sku": "TEE-M", "quantity": 2}]))["order"]
    second = (
        await place(
            admin,
            customer={"email": "bob@example.com", "name": "Bob"},
            lines=[{"sku": "TEE-M", "quantity": 1}, {"sku": "TEE-L", "quantity": 1}],
        )
    )["order"]
    created = (await warehouse.data(CREATE_PICK_LIST, {"input": {"locationId": berlin_id}}))[
        "createPickList"
    ]
    assert created["userErrors"] == []
    wave: dict[str, Any] = created["pickList"]
    assert [
        (t["sequence"], t["sku"]["code"], t["bin"]["code"], t["quantity"]) for t in wave["tasks"]
    ] == [
        (1, "TEE-M", "A-01", 3),
        (2, "TEE-L", "B-01", 1),
    ]
    assert wave["walkingDistance"] < wave["naiveWalkingDistance"]
    assert wave["walkingDistanceSaved"] == round(
        wave["naiveWalkingDistance"] - wave["walkingDistance"], 2
    )
    assert wave["progress"] == {"tasks": 2, "tasksConfirmed": 0, "units": 4, "unitsPicked": 0}
    assert [s["status"] for s in wave["shipments"]] == ["PICKING", "PICKING"]

    too_many = (
        await warehouse.data(
            CONFIRM,
            {
                "input": {
                    "pickListId": wave["id"],
                    "picks": [{"taskId": wave["tasks"][0]["id"], "quantity": 4}],
                }
            },
        )
    )["confirmPicks"]
    assert (too_many["pickList"], too_many["userErrors"][0]["code"]) == (None, "INVALID_INPUT")
    assert too_many["userErrors"][0]["field"] == ["picks", "0", "quantity"]

    # two of the three TEE-M are there: the oldest order gets both, the other waits for stock
    confirmed = (
        await warehouse.data(
            CONFIRM,
            {
                "input": {
                    "pickListId": wave["id"],
                    "picks": [
                        {"taskId": wave["tasks"][0]["id"], "quantity": 2},
                        {"taskId": wave["tasks"][1]["id"], "quantity": 1},
                    ],
                }
            },
        )
    )["confirmPicks"]
    assert confirmed["userErrors"] == []
    done = confirmed["pickList"]
    assert done["status"] == "COMPLETED"
    assert done["progress"] == {"tasks": 2, "tasksConfirmed": 2, "units": 4, "unitsPicked": 3}
    assert [(t["status"], t["quantityPicked"]) for t in done["tasks"]] == [
        ("SHORT", 2),
        ("PICKED", 1),
    ]

    oldest = (await admin.data(ORDER_SHIPMENTS, {"id": first["id"]}))["order"]
    assert oldest["status"] == "PROCESSING"
    assert oldest["shipments"][0]["lines"] == [
        {"quantity": 2, "status": "PICKED", "sku": {"code": "TEE-M"}}
    ]
    other = (await admin.data(ORDER_SHIPMENTS, {"id": second["id"]}))["order"]
    assert [
        (line["quantityAllocated"], line["quantityBackordered"]) for line in other["lines"]
    ] == [
        (0, 1),
        (1, 0),
    ]
    assert [(s["location"]["code"], s["status"]) for s in other["shipments"]] == [
        ("BER", "PICKING")
    ]
    assert [(x["sku"]["code"], x["status"]) for x in other["shipments"][0]["lines"]] == [
        ("TEE-M", "RELEASED"),
        ("TEE-L", "PICKED"),
    ]
    shipments = await admin.data(
        """query($id: ID!) { shipments(filter: {pickListId: $id}) { totalCount nodes { status } } }""",
        {"id": wave["id"]},
    )
    assert shipments["shipments"]["totalCount"] == 2
    lists = await admin.data("{ pickLists(status: [COMPLETED]) { nodes { id } } }")
    assert lists["pickLists"]["nodes"] == [{"id": wave["id"]}]


async def test_who_may_pick(
    support: GraphQLClient, warehouse: GraphQLClient, berlin_id: str
) -> None:
    refused = await support.execute(CREATE_PICK_LIST, {"input": {"locationId": berlin_id}})
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    nothing = (await warehouse.data(CREATE_PICK_LIST, {"input": {"locationId": berlin_id}}))[
        "createPickList"
    ]
    assert (nothing["pickList"], nothing["userErrors"][0]["code"]) == (None, "NOT_FOUND")
    wrong_id = (
        await warehouse.data(
            CREATE_PICK_LIST, {"input": {"locationId": encode_global_id("Order", 1)}}
        )
    )["createPickList"]
    assert wrong_id["userErrors"][0]["code"] == "INVALID_ID"


async def test_a_customer_follows_shipments_but_not_the_warehouse(
    admin: GraphQLClient, anonymous: GraphQLClient, berlin_id: str
) -> None:
    token = (await place(admin))["trackingToken"]
    view = await anonymous.data(
        "query($t: String!) { orderByTrackingToken(token: $t) { shipments { status trackingNumber } } }",
        {"t": token},
    )
    assert view["orderByTrackingToken"]["shipments"] == [
        {"status": "PENDING", "trackingNumber": None}
    ]
    internal = await anonymous.execute(
        "query($t: String!) { orderByTrackingToken(token: $t) { shipments { pickList { id } } } }",
        {"t": token},
    )
    assert internal["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
