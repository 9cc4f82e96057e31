"""Catalogue and set-up through GraphQL: channels, locations, bins, products, SKUs, customers, nodes."""

from __future__ import annotations

from typing import Any

from api.auth import SYSTEM_ACTOR
from api.customers.service import link_customer
from api.db import Database
from tests.factories import GraphQLClient

ERRORS = "userErrors { __typename code field }"
CREATE_CHANNEL = f"mutation($input: CreateChannelInput!) {{ createChannel(input: $input) {{ channel {{ id code name }} {ERRORS} }} }}"
CREATE_LOCATION = f"""mutation($input: CreateLocationInput!) {{ createLocation(input: $input) {{
  location {{ id code name latitude longitude ships priority address {{ city country postalCode }} }} {ERRORS} }} }}"""
CREATE_BIN = f"mutation($input: CreateBinInput!) {{ createBin(input: $input) {{ bin {{ id code pickSequence }} {ERRORS} }} }}"
CREATE_PRODUCT = f"""mutation($input: CreateProductInput!) {{ createProduct(input: $input) {{
  product {{ id name skus {{ id code name price {{ amount currency }} unitCost {{ amount }} weightGrams barcode allowBackorder product {{ name }} }} }} {ERRORS} }} }}"""
UPDATE_SKU = f"mutation($input: UpdateSkuInput!) {{ updateSku(input: $input) {{ sku {{ code name price {{ amount }} active }} {ERRORS} }} }}"

LOCATION_INPUT = {
    "code": "PAR-WH",
    "name": "Paris warehouse",
    "latitude": 48.8566,
    "longitude": 2.3522,
    "address": {
        "line1": "1 Rue de Rivoli",
        "city": "Paris",
        "postalCode": "75001",
        "country": "fr",
    },
    "ships": True,
    "priority": 2,
}
PRODUCT_INPUT = {
    "name": "Trail Runner",
    "skus": [
        {
            "sku": "TR-S",
            "name": "Trail Runner S",
            "price": 8999,
            "unitCost": 4000,
            "weightGrams": 600,
            "barcode": "4001",
        },
        {"sku": "TR-M", "name": "Trail Runner M", "price": 8999, "allowBackorder": True},
    ],
}


async def run(
    client: GraphQLClient, document: str, name: str, input_: dict[str, Any]
) -> dict[str, Any]:
    payload: dict[str, Any] = (await client.data(document, {"input": input_}))[name]
    return payload


async def test_create_channel_and_list(admin: GraphQLClient) -> None:
    created = await run(admin, CREATE_CHANNEL, "createChannel", {"code": "web", "name": "Web shop"})
    assert created["channel"]["code"] == "web" and created["userErrors"] == []
    duplicate = await run(admin, CREATE_CHANNEL, "createChannel", {"code": "web", "name": "Again"})
    assert duplicate["userErrors"] == [
        {"__typename": "AlreadyExistsError", "code": "ALREADY_EXISTS", "field": ["code"]}
    ]
    bad = await run(admin, CREATE_CHANNEL, "createChannel", {"code": "no spaces!", "name": "x"})
    assert bad["userErrors"][0]["code"] == "INVALID_INPUT"
    blank = await run(admin, CREATE_CHANNEL, "createChannel", {"code": "pos", "name": "   "})
    assert blank["userErrors"] == [
        {"__typename": "InvalidInputError", "code": "INVALID_INPUT", "field": ["name"]}
    ]
    assert (await admin.data("{ channels { code } }"))["channels"] == [{"code": "web"}]


async def test_create_location_with_bins(admin: GraphQLClient) -> None:
    created = await run(admin, CREATE_LOCATION, "createLocation", LOCATION_INPUT)
    location = created["location"]
    assert location["address"] == {"city": "Paris", "country": "FR", "postalCode": "75001"}
    assert (location["latitude"], location["priority"]) == (48.8566, 2)
    bin_ = await run(
        admin,
        CREATE_BIN,
        "createBin",
        {"locationId": location["id"], "code": "A01-B02", "aisle": 1, "bay": 2},
    )
    assert bin_["bin"]["code"] == "A01-B02" and bin_["bin"]["pickSequence"] > 0
    again = await run(
        admin, CREATE_BIN, "createBin", {"locationId": location["id"], "code": "A01-B02"}
    )
    assert again["userErrors"][0]["code"] == "ALREADY_EXISTS"
    await run(
        admin,
        CREATE_BIN,
        "createBin",
        {"locationId": location["id"], "code": "A01-B01", "aisle": 1, "bay": 1},
    )
    await run(
        admin,
        CREATE_BIN,
        "createBin",
        {"locationId": location["id"], "code": "FIRST", "pickSequence": 0},
    )
    listed = await admin.data(
        "{ locations(ships: true) { totalCount edges { node { code bins { code } } } } }"
    )
    assert listed["locations"]["totalCount"] == 1
    assert listed["locations"]["edges"][0]["node"]["bins"] == [
        {"code": "FIRST"},
        {"code": "A01-B01"},
        {"code": "A01-B02"},
    ]


async def test_create_location_refusals(admin: GraphQLClient) -> None:
    cases = [
        ({"latitude": 91.0}, ["latitude"]),
        ({"longitude": -181.0}, ["longitude"]),
        ({"address": {**LOCATION_INPUT["address"], "country": "France"}}, ["address", "country"]),
        ({"name": "n" * 201}, ["name"]),
        ({"priority": -1}, ["priority"]),
    ]
    for override, field in cases:
        payload = await run(
            admin, CREATE_LOCATION, "createLocation", {**LOCATION_INPUT, **override}
        )
        assert payload["location"] is None
        assert payload["userErrors"][0]["code"] == "INVALID_INPUT", override
        assert payload["userErrors"][0]["field"] == field
    assert (await admin.data("{ locations { totalCount } }"))["locations"]["totalCount"] == 0


async def test_create_product_with_skus_and_refusals(admin: GraphQLClient) -> None:
    created = await run(admin, CREATE_PRODUCT, "createProduct", PRODUCT_INPUT)
    skus = created["product"]["skus"]
    assert [sku["code"] for sku in skus] == ["TR-S", "TR-M"]
    assert skus[0]["price"] == {"amount": 8999, "currency": "EUR"} and skus[0]["unitCost"] == {
        "amount": 4000
    }
    assert skus[1]["allowBackorder"] is True and skus[0]["product"] == {"name": "Trail Runner"}

    duplicate = await run(
        admin,
        CREATE_PRODUCT,
        "createProduct",
        {"name": "Copy", "skus": [{"sku": "TR-S", "name": "x", "price": 1}]},
    )
    assert duplicate["userErrors"][0]["code"] == "ALREADY_EXISTS"
    twice = await run(
        admin,
        CREATE_PRODUCT,
        "createProduct",
        {"name": "Twice", "skus": [{"sku": "Z", "name": "x", "price": 1}] * 2},
    )
    assert twice["userErrors"][0]["code"] == "INVALID_INPUT"
    none = await run(admin, CREATE_PRODUCT, "createProduct", {"name": "Empty", "skus": []})
    assert none["userErrors"][0]["field"] == ["skus"]
    negative = await run(
        admin,
        CREATE_PRODUCT,
        "createProduct",
        {"name": "Neg", "skus": [{"sku": "N", "name": "x", "price": -1}]},
    )
    assert negative["userErrors"][0]["field"] == ["skus", "0", "price"]
    assert (await admin.data("{ products { totalCount } }"))["products"]["totalCount"] == 1


async def test_update_sku(admin: GraphQLClient) -> None:
    created = await run(admin, CREATE_PRODUCT, "createProduct", PRODUCT_INPUT)
    sku_id = created["product"]["skus"][0]["id"]
    updated = await run(
        admin, UPDATE_SKU, "updateSku", {"id": sku_id, "price": 7999, "active": False}
    )
    assert updated["sku"] == {
        "code": "TR-S",
        "name": "Trail Runner S",
        "price": {"amount": 7999},
        "active": False,
    }
    nothing = await run(admin, UPDATE_SKU, "updateSku", {"id": sku_id})
    assert nothing["userErrors"][0]["code"] == "INVALID_INPUT"
    other = created["product"]["skus"][1]["id"]
    clash = await run(admin, UPDATE_SKU, "updateSku", {"id": other, "barcode": "4001"})
    assert clash["userErrors"][0]["code"] == "ALREADY_EXISTS"
    missing = await run(admin, UPDATE_SKU, "updateSku", {"id": "U2t1Ojk5OTk=", "price": 1})
    assert missing["userErrors"][0]["code"] == "NOT_FOUND"
    wrong_type = await run(
        admin, UPDATE_SKU, "updateSku", {"id": created["product"]["id"], "price": 1}
    )
    assert wrong_type["userErrors"][0]["code"] == "INVALID_ID"


async def test_sku_search(admin: GraphQLClient) -> None:
    await run(admin, CREATE_PRODUCT, "createProduct", PRODUCT_INPUT)
    await run(
        admin,
        CREATE_PRODUCT,
        "createProduct",
        {"name": "Wool Sock", "skus": [{"sku": "WS-1", "name": "Wool Sock 100%", "price": 999}]},
    )
    by_prefix = await admin.data('{ skus(query: "tr-") { edges { node { code } } } }')
    assert [e["node"]["code"] for e in by_prefix["skus"]["edges"]] == ["TR-S", "TR-M"]
    by_name = await admin.data('{ skus(query: "sock") { edges { node { code } } } }')
    assert [e["node"]["code"] for e in by_name["skus"]["edges"]] == ["WS-1"]
    wildcard = await admin.data('{ skus(query: "%") { totalCount } }')
    assert wildcard["skus"]["totalCount"] == 1
    assert (await admin.data('{ sku(code: "WS-1") { name } }'))["sku"] == {"name": "Wool Sock 100%"}
    assert (await admin.data('{ sku(code: "nope") { name } }'))["sku"] is None


async def test_node_and_nodes(admin: GraphQLClient, warehouse: GraphQLClient) -> None:
    created = await run(admin, CREATE_PRODUCT, "createProduct", PRODUCT_INPUT)
    sku_id = created["product"]["skus"][0]["id"]
    node = await admin.data(
        "query($id: ID!) { node(id: $id) { id __typename ... on Sku { code } } }", {"id": sku_id}
    )
    assert node["node"] == {"id": sku_id, "__typename": "Sku", "code": "TR-S"}
    nodes = await admin.data(
        "query($ids: [ID!]!) { nodes(ids: $ids) { __typename ... on Product { name } } }",
        {"ids": [created["product"]["id"], "U2t1Ojk5OTk="]},
    )
    assert nodes["nodes"] == [{"__typename": "Product", "name": "Trail Runner"}, None]
    malformed = await admin.execute('{ node(id: "!!") { id } }')
    assert malformed["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    users = await warehouse.execute('{ node(id: "VXNlcjox") { id } }')
    assert users["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_customers_search(admin: GraphQLClient, database: Database) -> None:
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        first = await link_customer(uow, email="Ada@Example.com", name="Ada Lovelace")
        await link_customer(uow, email="alan@example.com", name="Alan Turing")
        again = await link_customer(uow, email="ada@example.com", name="Someone else")
        await uow.commit()
    assert (first.created, again.created, again.id) == (True, False, first.id)
    found = await admin.data(
        '{ customers(query: "ada") { totalCount edges { node { email name addresses { city } } } } }'
    )
    assert found["customers"]["edges"] == [
        {"node": {"email": "ada@example.com", "name": "Ada Lovelace", "addresses": []}}
    ]
