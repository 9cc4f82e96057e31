"""Purchase orders through GraphQL: the lifecycle over HTTP, reads through node and the
connection, typed userErrors that write nothing, and who may do what."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from api.db import Database
from api.events.models import Event
from api.locations.models import Location
from api.purchasing.models import PurchaseOrder
from schema.relay import encode_global_id
from tests.factories import GraphQLClient, make_location, make_product

ERRORS = "userErrors { code field message }"
ORDER_FIELDS = """id number status expectedAt supplier { code leadTimeDays } location { code }
  lines { sku { code } quantity quantityReceived quantityOutstanding unitCost { amount currency } }"""
CREATE_SUPPLIER = f"""mutation($input: CreateSupplierInput!) {{
  createSupplier(input: $input) {{ supplier {{ id code }} {ERRORS} }} }}"""
CREATE = f"""mutation($input: CreatePurchaseOrderInput!) {{
  createPurchaseOrder(input: $input) {{ purchaseOrder {{ {ORDER_FIELDS} }} {ERRORS} }} }}"""
ORDER = f"""mutation($input: PurchaseOrderIdInput!) {{
  orderPurchaseOrder(input: $input) {{ purchaseOrder {{ status }} {ERRORS} }} }}"""
RECEIVE = f"""mutation($input: ReceivePurchaseOrderInput!) {{
  receivePurchaseOrder(input: $input) {{ purchaseOrder {{ status }} {ERRORS} }} }}"""
CANCEL = f"""mutation($input: CancelPurchaseOrderInput!) {{
  cancelPurchaseOrder(input: $input) {{ purchaseOrder {{ status cancelReason }} {ERRORS} }} }}"""
LEVEL = """query($sku: String!) { inventoryLevels(sku: $sku) { nodes { onHand incoming } } }"""


async def mutate(
    client: GraphQLClient, document: str, payload_name: str, /, **input_: Any
) -> dict[str, Any]:
    payload: dict[str, Any] = (await client.data(document, {"input": input_}))[payload_name]
    return payload


async def prepared(admin: GraphQLClient, database: Database) -> Location:
    await make_product(database, "SKU-1", "SKU-2", price=1500)
    berlin = await make_location(database, "BER")
    created = await mutate(admin, CREATE_SUPPLIER, "createSupplier", code="ACME", name="Acme",
                           leadTimeDays=7)  # fmt: skip
    assert created["userErrors"] == []
    return berlin


def gid(location: Location) -> str:
    assert location.id is not None
    return encode_global_id("Location", location.id)


async def test_a_purchase_order_is_created_ordered_received_in_parts_and_read_back(
    admin: GraphQLClient, database: Database
) -> None:
    berlin = await prepared(admin, database)
    created = await mutate(admin, CREATE, "createPurchaseOrder", supplier="ACME",
                           locationId=gid(berlin),
                           lines=[{"sku": "SKU-1", "quantity": 12, "unitCost": 700}])  # fmt: skip
    assert created["userErrors"] == []
    order = created["purchaseOrder"]
    assert (order["status"], order["number"], order["supplier"]) == (
        "DRAFT", "PO-000001", {"code": "ACME", "leadTimeDays": 7},
    )  # fmt: skip
    assert order["lines"] == [{"sku": {"code": "SKU-1"}, "quantity": 12, "quantityReceived": 0,
                               "quantityOutstanding": 12,
                               "unitCost": {"amount": 700, "currency": "EUR"}}]  # fmt: skip
    ordered = await mutate(admin, ORDER, "orderPurchaseOrder", purchaseOrderId=order["id"])
    assert ordered == {"purchaseOrder": {"status": "ORDERED"}, "userErrors": []}
    assert (await admin.data(LEVEL, {"sku": "SKU-1"}))["inventoryLevels"]["nodes"] == [
        {"onHand": 0, "incoming": 12}
    ]
    part = await mutate(admin, RECEIVE, "receivePurchaseOrder", purchaseOrderId=order["id"],
                        lines=[{"sku": "SKU-1", "quantity": 5}])  # fmt: skip
    assert part["purchaseOrder"]["status"] == "PARTIALLY_RECEIVED"
    read = await admin.data(
        """query($id: ID!) { node(id: $id) { ... on PurchaseOrder { status
             lines { quantityReceived quantityOutstanding } } }
           purchaseOrders(filter: {status: [PARTIALLY_RECEIVED]}) { totalCount nodes { number } }
           suppliers { code name } }""",
        {"id": order["id"]},
    )
    assert read["node"] == {"status": "PARTIALLY_RECEIVED",
                            "lines": [{"quantityReceived": 5, "quantityOutstanding": 7}]}  # fmt: skip
    assert read["purchaseOrders"] == {"totalCount": 1, "nodes": [{"number": "PO-000001"}]}
    assert read["suppliers"] == [{"code": "ACME", "name": "Acme"}]
    rest = await mutate(admin, RECEIVE, "receivePurchaseOrder", purchaseOrderId=order["id"])
    assert rest["purchaseOrder"]["status"] == "RECEIVED"
    assert (await admin.data(LEVEL, {"sku": "SKU-1"}))["inventoryLevels"]["nodes"] == [
        {"onHand": 12, "incoming": 0}
    ]


async def counts(database: Database) -> tuple[int, int]:
    async with database.session() as session:
        orders = (
            await session.execute(select(func.count()).select_from(PurchaseOrder))
        ).scalar_one()
        events = (await session.execute(select(func.count()).select_from(Event))).scalar_one()
    return orders, events


async def test_bad_input_is_a_typed_user_error_and_writes_nothing(
    admin: GraphQLClient, database: Database
) -> None:
    berlin = await prepared(admin, database)
    before = await counts(database)
    line = {"sku": "SKU-1", "quantity": 3, "unitCost": 700}
    for override, code, field in [
        ({"supplier": "NOBODY"}, "NOT_FOUND", ["supplier"]),
        ({"lines": [{**line, "quantity": -3}]}, "INVALID_INPUT", ["lines", "0", "quantity"]),
        ({"locationId": encode_global_id("Sku", 1)}, "INVALID_ID", ["locationId"]),
    ]:
        arguments = {"supplier": "ACME", "locationId": gid(berlin), "lines": [line]} | override
        payload = await mutate(admin, CREATE, "createPurchaseOrder", **arguments)
        assert payload["purchaseOrder"] is None
        [error] = payload["userErrors"]
        assert (error["code"], error["field"]) == (code, field), error
    assert await counts(database) == before

    created = await mutate(admin, CREATE, "createPurchaseOrder", supplier="ACME",
                           locationId=gid(berlin), lines=[line])  # fmt: skip
    order_id = created["purchaseOrder"]["id"]
    await mutate(admin, ORDER, "orderPurchaseOrder", purchaseOrderId=order_id)
    over = await mutate(admin, RECEIVE, "receivePurchaseOrder", purchaseOrderId=order_id,
                        lines=[{"sku": "SKU-1", "quantity": 4}])  # fmt: skip
    assert [(e["code"], e["field"]) for e in over["userErrors"]] == [
        ("OVER_RECEIPT", ["lines", "0", "quantity"])
    ]
    cancelled = await mutate(admin, CANCEL, "cancelPurchaseOrder", purchaseOrderId=order_id,
                             reason="not needed")  # fmt: skip
    assert cancelled["purchaseOrder"] == {"status": "CANCELLED", "cancelReason": "not needed"}
    late = await mutate(admin, RECEIVE, "receivePurchaseOrder", purchaseOrderId=order_id)
    assert [e["code"] for e in late["userErrors"]] == ["ILLEGAL_TRANSITION"]


async def test_support_may_not_order_stock(support: GraphQLClient, database: Database) -> None:
    body = await support.execute(
        CREATE_SUPPLIER, {"input": {"code": "X", "name": "X", "leadTimeDays": 1}}
    )
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
