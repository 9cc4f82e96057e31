"""Inventory through GraphQL: every mutation's success and userErrors, reads, bad input."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from api.db import Database
from api.events.models import Event
from api.inventory.models import InventoryMovement
from api.locations.models import Location
from schema.relay import encode_global_id
from tests.conftest import StatementCounter
from tests.factories import GraphQLClient, api_key, make_location, make_product, receive

LEVEL_FIELDS = "onHand reserved available incoming damaged qualityControl safetyStock location { code } sku { code }"
ERRORS = "userErrors { __typename code field message ... on InsufficientStockError { sku requested available } ... on StaleVersionError { expected actual } }"

RECEIVE = f"""mutation($input: ReceiveInventoryInput!) {{
  receiveInventory(input: $input) {{ inventoryLevel {{ {LEVEL_FIELDS} }} {ERRORS} }} }}"""
ADJUST = f"""mutation($input: AdjustInventoryInput!) {{
  adjustInventory(input: $input) {{ inventoryLevel {{ {LEVEL_FIELDS} }} {ERRORS} }} }}"""
SAFETY = f"""mutation($input: SetSafetyStockInput!) {{
  setSafetyStock(input: $input) {{ inventoryLevel {{ {LEVEL_FIELDS} }} {ERRORS} }} }}"""
MOVE = f"""mutation($input: MoveInventoryStateInput!) {{
  moveInventoryState(input: $input) {{ inventoryLevel {{ {LEVEL_FIELDS} }} {ERRORS} }} }}"""
TRANSFER = f"""mutation($input: TransferInventoryInput!) {{
  transferInventory(input: $input) {{ transfer {{ id status quantity receivedQuantity
     sku {{ code }} fromLocation {{ code }} toLocation {{ code }} }} {ERRORS} }} }}"""
RECEIVE_TRANSFER = f"""mutation($input: ReceiveTransferInput!) {{
  receiveTransfer(input: $input) {{ transfer {{ status receivedQuantity }} {ERRORS} }} }}"""


@pytest.fixture
async def berlin(database: Database) -> Location:
    await make_product(database, "SKU-1", "SKU-2")
    return await make_location(database, "BER")


def gid(location: Location) -> str:
    assert location.id is not None
    return encode_global_id("Location", location.id)


async def writes(database: Database) -> tuple[int, int]:
    async with database.session() as session:
        events = (await session.execute(select(func.count()).select_from(Event))).scalar_one()
        moves = (
            await session.execute(select(func.count()).select_from(InventoryMovement))
        ).scalar_one()
    return events, moves


async def mutate(client: GraphQLClient, document: str, name: str, **input_: Any) -> dict[str, Any]:
    data = await client.data(document, {"input": input_})
    payload: dict[str, Any] = data[name]
    return payload


async def test_receive_inventory(admin: GraphQLClient, berlin: Location) -> None:
    payload = await mutate(
        admin, RECEIVE, "receiveInventory", locationId=gid(berlin), sku="SKU-1", quantity=7
    )
    assert payload["userErrors"] == []
    assert payload["inventoryLevel"] == {
        "onHand": 7,
        "reserved": 0,
        "available": 7,
        "incoming": 0,
        "damaged": 0,
        "qualityControl": 0,
        "safetyStock": 0,
        "location": {"code": "BER"},
        "sku": {"code": "SKU-1"},
    }


@pytest.mark.parametrize(
    ("override", "code", "field"),
    [
        ({"sku": "NOPE"}, "NOT_FOUND", ["sku"]),
        ({"locationId": "bm90IGFuIGlk"}, "INVALID_ID", ["locationId"]),
        ({"locationId": "%%%"}, "INVALID_ID", ["locationId"]),
        ({"locationId": encode_global_id("Sku", 1)}, "INVALID_ID", ["locationId"]),
        ({"locationId": encode_global_id("Location", 999)}, "NOT_FOUND", ["locationId"]),
        ({"quantity": 0}, "INVALID_INPUT", ["quantity"]),
        ({"quantity": -5}, "INVALID_INPUT", ["quantity"]),
        ({"reference": "x" * 201}, "INVALID_INPUT", ["reference"]),
        ({"expectedOnHand": 3}, "STALE_VERSION", ["expectedOnHand"]),
    ],
)
async def test_receive_inventory_refusals_write_nothing(
    admin: GraphQLClient,
    berlin: Location,
    database: Database,
    override: dict[str, Any],
    code: str,
    field: list[str],
) -> None:
    before = await writes(database)
    input_ = {"locationId": gid(berlin), "sku": "SKU-1", "quantity": 1, **override}
    payload = await mutate(admin, RECEIVE, "receiveInventory", **input_)
    assert payload["inventoryLevel"] is None
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [(code, field)]
    assert payload["userErrors"][0]["message"]
    assert await writes(database) == before


async def test_wrong_types_are_rejected_before_execution(
    admin: GraphQLClient, database: Database, berlin: Location
) -> None:
    before = await writes(database)
    response = await admin.post(
        RECEIVE, {"input": {"locationId": gid(berlin), "sku": "SKU-1", "quantity": "ten"}}
    )
    assert response.status_code == 400
    response = await admin.post(RECEIVE, {"input": {"locationId": gid(berlin), "quantity": 1}})
    assert response.status_code == 400
    response = await admin.post(
        RECEIVE, {"input": {"locationId": gid(berlin), "sku": "SKU-1", "quantity": 2**40}}
    )
    assert response.status_code == 400
    assert await writes(database) == before


async def test_adjust_inventory_and_its_refusals(
    admin: GraphQLClient, berlin: Location, database: Database
) -> None:
    await receive(database, berlin, "SKU-1", 5)
    ok = await mutate(
        admin,
        ADJUST,
        "adjustInventory",
        locationId=gid(berlin),
        sku="SKU-1",
        delta=-2,
        reason="CYCLE_COUNT",
        expectedOnHand=5,
        note="counted",
    )
    assert ok["inventoryLevel"]["onHand"] == 3
    short = await mutate(
        admin,
        ADJUST,
        "adjustInventory",
        locationId=gid(berlin),
        sku="SKU-1",
        delta=-4,
        reason="SHRINKAGE",
    )
    assert short["userErrors"] == [
        {
            "__typename": "InsufficientStockError",
            "code": "INSUFFICIENT_STOCK",
            "field": ["quantity"],
            "message": short["userErrors"][0]["message"],
            "sku": "SKU-1",
            "requested": 4,
            "available": 3,
        }
    ]
    stale = await mutate(
        admin,
        ADJUST,
        "adjustInventory",
        locationId=gid(berlin),
        sku="SKU-1",
        delta=1,
        reason="FOUND",
        expectedOnHand=5,
    )
    assert stale["userErrors"][0]["__typename"] == "StaleVersionError"
    assert (stale["userErrors"][0]["expected"], stale["userErrors"][0]["actual"]) == (5, 3)
    zero = await mutate(
        admin,
        ADJUST,
        "adjustInventory",
        locationId=gid(berlin),
        sku="SKU-1",
        delta=0,
        reason="OTHER",
    )
    assert zero["userErrors"][0]["code"] == "INVALID_INPUT"
    response = await admin.post(
        ADJUST,
        {"input": {"locationId": gid(berlin), "sku": "SKU-1", "delta": 1, "reason": "BECAUSE"}},
    )
    assert response.status_code == 400


async def test_set_safety_stock(admin: GraphQLClient, berlin: Location, database: Database) -> None:
    await receive(database, berlin, "SKU-1", 5)
    payload = await mutate(
        admin, SAFETY, "setSafetyStock", locationId=gid(berlin), sku="SKU-1", quantity=2
    )
    assert (payload["inventoryLevel"]["safetyStock"], payload["inventoryLevel"]["available"]) == (
        2,
        3,
    )
    negative = await mutate(
        admin, SAFETY, "setSafetyStock", locationId=gid(berlin), sku="SKU-1", quantity=-1
    )
    assert negative["userErrors"][0]["code"] == "INVALID_INPUT"
    below = await admin.data(
        "query($loc: ID) { inventoryLevels(locationId: $loc, belowSafetyStock: true) { totalCount } }",
        {"loc": gid(berlin)},
    )
    assert below["inventoryLevels"]["totalCount"] == 0
    await mutate(admin, SAFETY, "setSafetyStock", locationId=gid(berlin), sku="SKU-1", quantity=9)
    below = await admin.data("{ inventoryLevels(belowSafetyStock: true) { totalCount } }")
    assert below["inventoryLevels"]["totalCount"] == 1


async def test_move_inventory_state(
    admin: GraphQLClient, berlin: Location, database: Database
) -> None:
    await receive(database, berlin, "SKU-1", 5)
    moved = await mutate(
        admin,
        MOVE,
        "moveInventoryState",
        locationId=gid(berlin),
        sku="SKU-1",
        quantity=2,
        **{"from": "AVAILABLE", "to": "QUALITY_CONTROL"},
        reason="returned seal broken",
    )
    assert (moved["inventoryLevel"]["onHand"], moved["inventoryLevel"]["qualityControl"]) == (3, 2)
    back = await mutate(
        admin,
        MOVE,
        "moveInventoryState",
        locationId=gid(berlin),
        sku="SKU-1",
        quantity=2,
        **{"from": "QUALITY_CONTROL", "to": "AVAILABLE"},
    )
    assert back["inventoryLevel"]["onHand"] == 5
    too_many = await mutate(
        admin,
        MOVE,
        "moveInventoryState",
        locationId=gid(berlin),
        sku="SKU-1",
        quantity=1,
        **{"from": "DAMAGED", "to": "AVAILABLE"},
    )
    assert too_many["userErrors"][0]["code"] == "INSUFFICIENT_STOCK"
    same = await mutate(
        admin,
        MOVE,
        "moveInventoryState",
        locationId=gid(berlin),
        sku="SKU-1",
        quantity=1,
        **{"from": "DAMAGED", "to": "DAMAGED"},
    )
    assert same["userErrors"][0]["code"] == "INVALID_INPUT"


async def test_transfer_and_receive(
    admin: GraphQLClient, berlin: Location, database: Database
) -> None:
    hamburg = await make_location(database, "HAM")
    await receive(database, berlin, "SKU-1", 5)
    created = await mutate(
        admin,
        TRANSFER,
        "transferInventory",
        fromLocationId=gid(berlin),
        toLocationId=gid(hamburg),
        sku="SKU-1",
        quantity=3,
    )
    transfer = created["transfer"]
    assert (
        transfer["status"],
        transfer["fromLocation"]["code"],
        transfer["toLocation"]["code"],
    ) == ("IN_TRANSIT", "BER", "HAM")
    received = await mutate(admin, RECEIVE_TRANSFER, "receiveTransfer", transferId=transfer["id"])
    assert received["transfer"] == {"status": "RECEIVED", "receivedQuantity": 3}
    again = await mutate(admin, RECEIVE_TRANSFER, "receiveTransfer", transferId=transfer["id"])
    assert again["userErrors"][0]["code"] == "ILLEGAL_TRANSITION"
    short = await mutate(
        admin,
        TRANSFER,
        "transferInventory",
        fromLocationId=gid(berlin),
        toLocationId=gid(hamburg),
        sku="SKU-1",
        quantity=3,
    )
    assert short["userErrors"][0]["code"] == "INSUFFICIENT_STOCK"
    availability = await admin.data(
        '{ availability(sku: "SKU-1") { sku { code } total { onHand available incoming } locations { location { code } onHand } } }'
    )
    assert availability["availability"]["total"] == {"onHand": 5, "available": 5, "incoming": 0}
    assert {
        (row["location"]["code"], row["onHand"])
        for row in availability["availability"]["locations"]
    } == {("BER", 2), ("HAM", 3)}


async def test_availability_of_an_unknown_sku_is_a_client_error(admin: GraphQLClient) -> None:
    response = await admin.post('{ availability(sku: "NOPE") { total { onHand } } }')
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_inventory_level_at(
    admin: GraphQLClient, berlin: Location, database: Database
) -> None:
    await receive(database, berlin, "SKU-1", 5)
    document = 'query($loc: ID!, $at: DateTime!) { inventoryLevelAt(locationId: $loc, sku: "SKU-1", at: $at) { onHand location { code } sku { code } } }'
    past = await admin.data(document, {"loc": gid(berlin), "at": "2000-01-01T00:00:00Z"})
    assert past["inventoryLevelAt"]["onHand"] == 0
    now = await admin.data(document, {"loc": gid(berlin), "at": "2999-01-01T00:00:00+00:00"})
    assert now["inventoryLevelAt"] == {
        "onHand": 5,
        "location": {"code": "BER"},
        "sku": {"code": "SKU-1"},
    }


async def test_inventory_levels_pages_forward_and_back(
    admin: GraphQLClient, database: Database
) -> None:
    await make_product(database, *(f"P-{n}" for n in range(5)))
    location = await make_location(database, "BER")
    for n in range(5):
        await receive(database, location, f"P-{n}", n + 1)
    document = """query($first: Int, $after: String, $last: Int, $before: String) {
      inventoryLevels(first: $first, after: $after, last: $last, before: $before) {
        totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { node { sku { code } } } } }"""
    first = (await admin.data(document, {"first": 2}))["inventoryLevels"]
    assert [e["node"]["sku"]["code"] for e in first["edges"]] == ["P-0", "P-1"]
    assert (first["totalCount"], first["pageInfo"]["hasNextPage"]) == (5, True)
    second = (await admin.data(document, {"first": 2, "after": first["pageInfo"]["endCursor"]}))[
        "inventoryLevels"
    ]
    assert [e["node"]["sku"]["code"] for e in second["edges"]] == ["P-2", "P-3"]
    assert second["pageInfo"]["hasPreviousPage"] is True
    back = (await admin.data(document, {"last": 2, "before": second["pageInfo"]["startCursor"]}))[
        "inventoryLevels"
    ]
    assert [e["node"]["sku"]["code"] for e in back["edges"]] == ["P-0", "P-1"]
    tail = (await admin.data(document, {"first": 10, "after": second["pageInfo"]["endCursor"]}))[
        "inventoryLevels"
    ]
    assert ([e["node"]["sku"]["code"] for e in tail["edges"]], tail["pageInfo"]["hasNextPage"]) == (
        ["P-4"],
        False,
    )
    filtered = await admin.data('{ inventoryLevels(sku: "P-3") { edges { node { onHand } } } }')
    assert filtered["inventoryLevels"]["edges"] == [{"node": {"onHand": 4}}]


@pytest.mark.parametrize(
    "arguments",
    ["first: 251", "first: -1", 'after: "garbage"', "first: 1, last: 1", 'locationId: "garbage"'],
)
async def test_bad_pagination_arguments_are_client_errors(
    admin: GraphQLClient, arguments: str
) -> None:
    body = await admin.execute(f"{{ inventoryLevels({arguments}) {{ totalCount }} }}")
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_page_costs_the_same_statements_whatever_its_size(
    admin: GraphQLClient, database: Database, count_statements: StatementCounter
) -> None:
    codes = [f"P-{n}" for n in range(60)]
    await make_product(database, *codes)
    berlin = await make_location(database, "BER")
    hamburg = await make_location(database, "HAM")
    for code in codes:
        await receive(database, berlin, code, 1)
        await receive(database, hamburg, code, 2)
    document = """query($first: Int) { inventoryLevels(first: $first) { totalCount edges { node {
        id onHand available location { code name } sku { code price { amount } product { name } } } } } }"""
    counts = {}
    for size in (10, 100):
        count_statements.statements.clear()
        data = await admin.data(document, {"first": size})
        assert len(data["inventoryLevels"]["edges"]) == size
        counts[size] = count_statements.count
    assert counts[10] == counts[100], counts
    # authentication, page, count, locations, skus, products
    assert counts[10] <= 6, count_statements.statements


async def test_receive_inventory_with_an_idempotency_key(
    admin: GraphQLClient, berlin: Location, database: Database
) -> None:
    input_ = {"locationId": gid(berlin), "sku": "SKU-1", "quantity": 4, "idempotencyKey": "asn-1"}
    first = await mutate(admin, RECEIVE, "receiveInventory", **input_)
    before = await writes(database)
    replay = await mutate(admin, RECEIVE, "receiveInventory", **input_)
    assert replay == first and replay["inventoryLevel"]["onHand"] == 4
    assert await writes(database) == before
    conflict = await mutate(admin, RECEIVE, "receiveInventory", **{**input_, "quantity": 5})
    assert conflict["userErrors"] == [
        {
            "__typename": "IdempotencyConflictError",
            "code": "IDEMPOTENCY_CONFLICT",
            "field": ["idempotencyKey"],
            "message": conflict["userErrors"][0]["message"],
        }
    ]
    assert await writes(database) == before


async def test_move_and_transfer_answer_stale_version(
    admin: GraphQLClient, berlin: Location, database: Database
) -> None:
    hamburg = await make_location(database, "HAM")
    await receive(database, berlin, "SKU-1", 5)
    move = await mutate(
        admin,
        MOVE,
        "moveInventoryState",
        locationId=gid(berlin),
        sku="SKU-1",
        quantity=1,
        expectedOnHand=4,
        **{"from": "AVAILABLE", "to": "DAMAGED"},
    )
    assert move["userErrors"][0]["code"] == "STALE_VERSION"
    transfer = await mutate(
        admin,
        TRANSFER,
        "transferInventory",
        fromLocationId=gid(berlin),
        toLocationId=gid(hamburg),
        sku="SKU-1",
        quantity=1,
        expectedOnHand=6,
    )
    assert transfer["userErrors"][0]["code"] == "STALE_VERSION"


TRANSFERS = """query($status: [TransferStatus!], $location: ID, $sku: String) {
  transfers(status: $status, locationId: $location, sku: $sku, first: 10) {
    nodes { quantity status fromLocation { code } toLocation { code } } } }"""
MOVEMENTS = """query($location: ID!, $sku: String!, $first: Int, $after: String) {
  inventoryMovements(locationId: $location, sku: $sku, first: $first, after: $after) {
    nodes { bucket kind quantity reference actor }
    pageInfo { hasNextPage endCursor } } }"""


async def test_transfers_list_newest_first_by_status_location_and_sku(
    admin: GraphQLClient, berlin: Location, database: Database
) -> None:
    hamburg, munich = await make_location(database, "HAM"), await make_location(database, "MUC")
    await receive(database, berlin, "SKU-1", 9)
    await receive(database, berlin, "SKU-2", 9)
    for target, sku, quantity in (
        (hamburg, "SKU-1", 1),
        (munich, "SKU-1", 2),
        (munich, "SKU-2", 3),
    ):
        created = await mutate(
            admin,
            TRANSFER,
            "transferInventory",
            fromLocationId=gid(berlin),
            toLocationId=gid(target),
            sku=sku,
            quantity=quantity,
        )
        assert created["userErrors"] == []
    await mutate(admin, RECEIVE_TRANSFER, "receiveTransfer", transferId=created["transfer"]["id"])

    async def quantities(**variables: Any) -> list[int]:
        data = await admin.data(TRANSFERS, variables)
        return [node["quantity"] for node in data["transfers"]["nodes"]]

    assert await quantities() == [3, 2, 1]
    assert await quantities(status=["IN_TRANSIT"]) == [2, 1]
    assert await quantities(location=gid(munich)) == [3, 2]
    assert await quantities(location=gid(berlin), sku="SKU-1") == [2, 1]
    unknown = await admin.post(TRANSFERS, {"sku": "NOPE"})
    assert unknown.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_levels_ledger_pages_newest_first(
    admin: GraphQLClient, berlin: Location, database: Database
) -> None:
    await receive(database, berlin, "SKU-1", 5)
    await mutate(
        admin,
        ADJUST,
        "adjustInventory",
        locationId=gid(berlin),
        sku="SKU-1",
        delta=-2,
        reason="CYCLE_COUNT",
    )
    page = await admin.data(MOVEMENTS, {"location": gid(berlin), "sku": "SKU-1", "first": 1})
    newest = page["inventoryMovements"]
    assert [(row["bucket"], row["kind"], row["quantity"]) for row in newest["nodes"]] == [
        ("ON_HAND", "ADJUSTMENT", -2)
    ]
    assert newest["pageInfo"]["hasNextPage"]
    rest = await admin.data(
        MOVEMENTS,
        {"location": gid(berlin), "sku": "SKU-1", "after": newest["pageInfo"]["endCursor"]},
    )
    assert [(row["kind"], row["quantity"]) for row in rest["inventoryMovements"]["nodes"]] == [
        ("RECEIPT", 5)
    ]
    other = await admin.data(MOVEMENTS, {"location": gid(berlin), "sku": "SKU-2"})
    assert other["inventoryMovements"]["nodes"] == []
    nowhere = await admin.post(
        MOVEMENTS, {"location": encode_global_id("Location", 999), "sku": "SKU-1"}
    )
    assert nowhere.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


SETTLE = f"""mutation($input: SettleDiscrepancyInput!) {{
  settleDiscrepancy(input: $input) {{ inventoryLevel {{ onHand discrepancy }} {ERRORS} }} }}"""


async def test_settle_a_discrepancy(
    admin: GraphQLClient, berlin: Location, database: Database
) -> None:
    await receive(database, berlin, "SKU-1", 5)
    at = {"locationId": gid(berlin), "sku": "SKU-1"}
    await mutate(
        admin,
        MOVE,
        "moveInventoryState",
        **at,
        quantity=3,
        **{"from": "AVAILABLE", "to": "DISCREPANCY"},
    )
    before = await writes(database)
    refused = await mutate(admin, SETTLE, "settleDiscrepancy", **at, found=2, lost=2)
    assert refused["userErrors"][0]["code"] == "INVALID_INPUT"
    assert await writes(database) == before
    settled = await mutate(admin, SETTLE, "settleDiscrepancy", **at, found=2, lost=1, note="count")
    assert settled == {"inventoryLevel": {"onHand": 4, "discrepancy": 0}, "userErrors": []}
    ledger = await admin.data(MOVEMENTS, {"location": gid(berlin), "sku": "SKU-1", "first": 2})
    assert [
        (row["bucket"], row["kind"], row["quantity"], row["reference"])
        for row in ledger["inventoryMovements"]["nodes"]
    ] == [
        ("ON_HAND", "DISCREPANCY_SETTLED", 2, "count"),
        ("DISCREPANCY", "DISCREPANCY_SETTLED", -3, "count"),
    ]


async def test_the_ledger_transfers_and_settling_need_inventory_scopes(
    anonymous: GraphQLClient, berlin: Location, database: Database
) -> None:
    orders_only = await api_key(database, "orders:read")
    reader = await api_key(database, "inventory:read")
    ledger = {"location": gid(berlin), "sku": "SKU-1"}
    for document, variables in ((TRANSFERS, {}), (MOVEMENTS, ledger)):
        refused = await anonymous.execute(document, variables, token=orders_only)
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert "errors" not in await anonymous.execute(document, variables, token=reader)
    settle = {"input": {"locationId": gid(berlin), "sku": "SKU-1", "lost": 1}}
    answer = await anonymous.execute(SETTLE, settle, token=reader)
    assert answer["errors"][0]["extensions"]["code"] == "FORBIDDEN"
