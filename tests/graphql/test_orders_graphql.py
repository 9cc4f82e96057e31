"""Orders through GraphQL over HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from api.auth import SYSTEM_ACTOR
from api.catalog.service import SkuFields, create_product
from api.db import Database
from tests.conftest import StatementCounter
from tests.factories import GraphQLClient, api_key, make_channel, make_location, receive

ERRORS = "userErrors { __typename code field message ... on InsufficientStockError { sku requested available } ... on PaymentDeclinedError { reason } }"
ORDER_FIELDS = """id number status paymentStatus fulfillmentStatus email
  totals { subtotal { amount currency } shipping { amount } tax { amount } total { amount } }
  lines { id quantity quantityAllocated quantityBackordered sku { code } unitPrice { amount } }
  shippingAddress { city country }"""
PLACE = f"""mutation($input: PlaceOrderInput!) {{ placeOrder(input: $input) {{
  order {{ {ORDER_FIELDS} routingDecision {{ reason candidates {{ location {{ code }} distanceKm chosen canShipAll }} }} }}
  trackingToken replayed {ERRORS} }} }}"""


@pytest.fixture
async def stocked(database: Database) -> None:
    await make_channel(database, "web")
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        await create_product(
            uow,
            name="Tee",
            skus=[SkuFields("TEE-M", "Tee M", price=2000), SkuFields("TEE-L", "Tee L", price=2500)],
        )
    berlin = await make_location(database, "BER")
    munich = await make_location(database, "MUC")
    await receive(database, berlin, "TEE-M", 5)
    await receive(database, munich, "TEE-L", 5)


def order_input(**overrides: Any) -> dict[str, Any]:
    value: dict[str, Any] = {
        "channel": "web",
        "customer": {"email": "ada@example.com", "name": "Ada Lovelace"},
        "lines": [{"sku": "TEE-M", "quantity": 2}],
        "shippingAddress": {
            "name": "Ada Lovelace",
            "line1": "Am Neuen Markt 1",
            "city": "Potsdam",
            "postalCode": "14467",
            "country": "DE",
            "latitude": 52.39,
            "longitude": 13.06,
        },
        "payment": {"token": "tok_visa"},
    }
    value.update(overrides)
    return value


async def place(client: GraphQLClient, **overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = (await client.data(PLACE, {"input": order_input(**overrides)}))[
        "placeOrder"
    ]
    return payload


async def test_place_order_answers_the_order_its_routing_and_a_tracking_token(
    admin: GraphQLClient, stocked: None
) -> None:
    payload = await place(admin)
    assert payload["userErrors"] == [] and payload["replayed"] is False
    order = payload["order"]
    assert (order["status"], order["paymentStatus"], order["fulfillmentStatus"]) == (
        "CONFIRMED",
        "AUTHORIZED",
        "UNFULFILLED",
    )
    assert order["number"].startswith("SO-")
    assert order["totals"]["subtotal"] == {"amount": 4000, "currency": "EUR"}
    assert order["lines"][0]["quantityAllocated"] == 2
    chosen = [c["location"]["code"] for c in order["routingDecision"]["candidates"] if c["chosen"]]
    assert chosen == ["BER"]
    assert len(payload["trackingToken"]) >= 32


@pytest.mark.parametrize(
    ("overrides", "typename", "code"),
    [
        ({"payment": {"token": "tok_chargeDeclined"}}, "PaymentDeclinedError", "PAYMENT_DECLINED"),
        ({"payment": {"token": "tok_processingError"}}, "PaymentFailedError", "PAYMENT_FAILED"),
        (
            {"lines": [{"sku": "TEE-M", "quantity": 6}]},
            "InsufficientStockError",
            "INSUFFICIENT_STOCK",
        ),
        ({"lines": [{"sku": "NOPE", "quantity": 1}]}, "NotFoundError", "NOT_FOUND"),
        ({"channel": "nope"}, "NotFoundError", "NOT_FOUND"),
        ({"lines": [{"sku": "TEE-M", "quantity": 0}]}, "InvalidInputError", "INVALID_INPUT"),
        ({"customer": {"email": "x", "name": "y"}}, "InvalidInputError", "INVALID_INPUT"),
    ],
)
async def test_refused_orders_are_user_errors_and_write_nothing(
    admin: GraphQLClient, stocked: None, overrides: dict[str, Any], typename: str, code: str
) -> None:
    payload = await place(admin, **overrides)
    assert payload["order"] is None and payload["trackingToken"] is None
    assert (payload["userErrors"][0]["__typename"], payload["userErrors"][0]["code"]) == (
        typename,
        code,
    )
    listed = await admin.data("{ orders { totalCount } customers { totalCount } }")
    assert listed == {"orders": {"totalCount": 0}, "customers": {"totalCount": 0}}


async def test_insufficient_stock_names_sku_and_availability(
    admin: GraphQLClient, stocked: None
) -> None:
    payload = await place(admin, lines=[{"sku": "TEE-M", "quantity": 6}])
    error = payload["userErrors"][0]
    assert (error["sku"], error["requested"], error["available"], error["field"]) == (
        "TEE-M",
        6,
        5,
        ["lines", "0", "quantity"],
    )


async def test_idempotent_replay_and_conflict(admin: GraphQLClient, stocked: None) -> None:
    first = await place(admin, idempotencyKey="cart-77")
    again = await place(admin, idempotencyKey="cart-77")
    assert again["replayed"] is True
    assert (again["order"]["id"], again["trackingToken"]) == (
        first["order"]["id"],
        first["trackingToken"],
    )
    conflict = await place(admin, idempotencyKey="cart-77", lines=[{"sku": "TEE-M", "quantity": 1}])
    assert conflict["userErrors"][0]["code"] == "IDEMPOTENCY_CONFLICT"
    assert (await admin.data("{ orders { totalCount } }"))["orders"]["totalCount"] == 1


async def test_the_tracking_token_shows_the_customer_one_order_and_nothing_internal(
    admin: GraphQLClient, anonymous: GraphQLClient, stocked: None
) -> None:
    payload = await place(admin)
    token = payload["trackingToken"]
    view = await anonymous.data(
        f"query($t: String!) {{ orderByTrackingToken(token: $t) {{ {ORDER_FIELDS} }} }}",
        {"t": token},
    )
    assert view["orderByTrackingToken"]["number"] == payload["order"]["number"]
    internal = await anonymous.execute(
        "query($t: String!) { orderByTrackingToken(token: $t) { routingDecision { reason } } }",
        {"t": token},
    )
    assert internal["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    history = await anonymous.execute(
        "query($t: String!) { orderByTrackingToken(token: $t) { customer { recentOrders { id } } } }",
        {"t": token},
    )
    assert history["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    wrong = await anonymous.data('{ orderByTrackingToken(token: "not-it") { id } }')
    assert wrong["orderByTrackingToken"] is None
    assert (await anonymous.execute("{ orders { totalCount } }"))["errors"][0]["extensions"][
        "code"
    ] == "UNAUTHENTICATED"


async def test_cancel_hold_and_release(admin: GraphQLClient, stocked: None) -> None:
    order = (await place(admin, lines=[{"sku": "TEE-M", "quantity": 3}]))["order"]
    hold = await admin.data(
        f'mutation($id: ID!) {{ holdOrder(input: {{orderId: $id, reason: "fraud check"}}) {{ order {{ status }} {ERRORS} }} }}',
        {"id": order["id"]},
    )
    assert hold["holdOrder"]["order"]["status"] == "ON_HOLD"
    release = await admin.data(
        f"mutation($id: ID!) {{ releaseOrderHold(input: {{orderId: $id}}) {{ order {{ status }} {ERRORS} }} }}",
        {"id": order["id"]},
    )
    assert release["releaseOrderHold"]["order"]["status"] == "CONFIRMED"
    cancel_one = await admin.data(
        f'mutation($id: ID!, $line: ID!) {{ cancelOrder(input: {{orderId: $id, reason: "too many", lines: [{{orderLineId: $line, quantity: 1}}]}}) {{ order {{ status lines {{ quantityCancelled }} totals {{ subtotal {{ amount }} }} }} {ERRORS} }} }}',
        {"id": order["id"], "line": order["lines"][0]["id"]},
    )
    assert cancel_one["cancelOrder"]["order"]["lines"] == [{"quantityCancelled": 1}]
    assert cancel_one["cancelOrder"]["order"]["totals"]["subtotal"]["amount"] == 4000
    cancel_all = await admin.data(
        f'mutation($id: ID!) {{ cancelOrder(input: {{orderId: $id, reason: "changed mind"}}) {{ order {{ status paymentStatus timeline {{ type }} }} {ERRORS} }} }}',
        {"id": order["id"]},
    )
    cancelled = cancel_all["cancelOrder"]["order"]
    assert (cancelled["status"], cancelled["paymentStatus"]) == ("CANCELLED", "VOIDED")
    assert [event["type"] for event in cancelled["timeline"]] == [
        "ORDER_PLACED",
        "ORDER_HELD",
        "ORDER_HOLD_RELEASED",
        "ORDER_LINES_CANCELLED",
        "ORDER_CANCELLED",
    ]
    again = await admin.data(
        f'mutation($id: ID!) {{ cancelOrder(input: {{orderId: $id, reason: "again"}}) {{ order {{ id }} {ERRORS} }} }}',
        {"id": order["id"]},
    )
    assert again["cancelOrder"]["userErrors"][0]["code"] == "ILLEGAL_TRANSITION"
    bad_id = await admin.data(
        f'mutation {{ cancelOrder(input: {{orderId: "nope", reason: "x"}}) {{ order {{ id }} {ERRORS} }} }}'
    )
    assert bad_id["cancelOrder"]["userErrors"][0]["code"] == "INVALID_ID"


async def test_orders_filter_search_and_order_lookup(admin: GraphQLClient, stocked: None) -> None:
    first = (await place(admin))["order"]
    await place(
        admin,
        customer={"email": "bob@example.com", "name": "Bob"},
        lines=[{"sku": "TEE-L", "quantity": 1}],
    )
    newest_first = await admin.data("{ orders(reverse: true) { edges { node { email } } } }")
    assert [e["node"]["email"] for e in newest_first["orders"]["edges"]] == [
        "bob@example.com",
        "ada@example.com",
    ]
    by_email = await admin.data(
        '{ orders(filter: {customerEmail: "Bob@example.com"}) { totalCount } }'
    )
    assert by_email["orders"]["totalCount"] == 1
    by_number = await admin.data(
        "query($q: String!) { orders(filter: {query: $q}) { edges { node { id } } } }",
        {"q": first["number"]},
    )
    assert by_number["orders"]["edges"] == [{"node": {"id": first["id"]}}]
    by_status = await admin.data("{ orders(filter: {status: [CANCELLED]}) { totalCount } }")
    assert by_status["orders"]["totalCount"] == 0
    lookup = await admin.data(
        "query($n: String!) { order(number: $n) { id customer { email recentOrders { number } } } }",
        {"n": first["number"]},
    )
    assert lookup["order"]["customer"] == {
        "email": "ada@example.com",
        "recentOrders": [{"number": first["number"]}],
    }
    node = await admin.data(
        "query($id: ID!) { node(id: $id) { ... on Order { number } } }", {"id": first["id"]}
    )
    assert node["node"] == {"number": first["number"]}


async def test_simulate_routing_reserves_nothing(admin: GraphQLClient, stocked: None) -> None:
    simulated = await admin.data(
        """query($input: SimulateRoutingInput!) { simulateRouting(input: $input) {
            decision { reason allocations { sku quantity } } totals { total { amount } } } }""",
        {
            "input": {
                "lines": [{"sku": "TEE-M", "quantity": 1}, {"sku": "TEE-L", "quantity": 1}],
                "shippingAddress": order_input()["shippingAddress"],
            }
        },
    )
    placed = await place(
        admin, lines=[{"sku": "TEE-M", "quantity": 1}, {"sku": "TEE-L", "quantity": 1}]
    )
    assert (
        simulated["simulateRouting"]["totals"]["total"]["amount"]
        == placed["order"]["totals"]["total"]["amount"]
    )
    assert "fewest locations (2)" in simulated["simulateRouting"]["decision"]["reason"]


async def test_a_query_refusing_its_input_answers_the_domain_code_and_field(
    admin: GraphQLClient, stocked: None
) -> None:
    answer = await admin.execute(
        """query($input: SimulateRoutingInput!) { simulateRouting(input: $input) {
            totals { total { amount } } } }""",
        {"input": {"lines": [{"sku": "TEE-M", "quantity": 0}],
                   "shippingAddress": order_input()["shippingAddress"]}},
    )  # fmt: skip
    assert answer["data"] is None
    [error] = answer["errors"]
    assert error["message"] == "quantity must be at least 1"
    assert error["extensions"] == {
        "code": "BAD_USER_INPUT",
        "reason": "INVALID_INPUT",
        "field": ["lines", "0", "quantity"],
    }


async def test_who_may_place_orders(
    anonymous: GraphQLClient, warehouse: GraphQLClient, database: Database, stocked: None
) -> None:
    assert (await warehouse.execute(PLACE, {"input": order_input()}))["errors"][0]["extensions"][
        "code"
    ] == "FORBIDDEN"
    storefront = await api_key(database, "orders:write")
    placed = (
        await anonymous.data(
            PLACE.replace(
                "routingDecision { reason candidates { location { code } distanceKm chosen canShipAll } }",
                "",
            ),
            {"input": order_input()},
            token=storefront,
        )
    )["placeOrder"]
    assert placed["order"]["status"] == "CONFIRMED"


async def test_an_orders_page_costs_the_same_statements_for_10_and_50_orders(
    admin: GraphQLClient, database: Database, count_statements: StatementCounter, stocked: None
) -> None:
    await receive(database, await make_location(database, "HAM"), "TEE-M", 500)
    for n in range(50):
        await place(
            admin,
            customer={"email": f"c{n}@example.com", "name": "C"},
            lines=[{"sku": "TEE-M", "quantity": 1}, {"sku": "TEE-L", "quantity": 0 + 1}]
            if n < 4
            else [{"sku": "TEE-M", "quantity": 1}],
        )
    page = """query($n: Int) { orders(first: $n) { edges { node { number status email customer { email }
        totals { total { amount } } lines { quantity sku { code } } allocations { quantity location { code } }
        shipments { status trackingNumber location { code } } } } } }"""
    counts = {}
    for size in (10, 50):
        count_statements.statements.clear()
        data = await admin.data(page, {"n": size})
        assert len(data["orders"]["edges"]) == size
        counts[size] = count_statements.count
    assert counts[10] == counts[50], counts


async def test_a_page_written_with_fragments_and_aliases_loads_the_same_relations(
    admin: GraphQLClient, count_statements: StatementCounter, stocked: None
) -> None:
    for n in range(3):
        await place(
            admin,
            customer={"email": f"f{n}@example.com", "name": "F"},
            lines=[{"sku": "TEE-M", "quantity": 1}, {"sku": "TEE-L", "quantity": 1}],
        )
    plain = """{ orders(first: 3) { edges { node { number customer { email }
        lines { quantity sku { code product { name } } allocations { location { code } } } } } } }"""
    dressed = """fragment Line on OrderLine { quantity item: sku { code } sku { product { name } } }
        { orders(first: 3) { nodes { number ... on Order { customer { email } } lines { ...Line }
          lines { allocations { location { code } } } } } }"""
    count_statements.statements.clear()
    expected = (await admin.data(plain))["orders"]["edges"]
    plain_statements = count_statements.count
    count_statements.statements.clear()
    nodes = (await admin.data(dressed))["orders"]["nodes"]
    assert count_statements.count == plain_statements
    assert [
        (
            node["number"],
            node["customer"]["email"],
            [
                (line["quantity"], line["item"]["code"], line["sku"]["product"]["name"])
                for line in node["lines"]
            ],
            [[a["location"]["code"] for a in line["allocations"]] for line in node["lines"]],
        )
        for node in nodes
    ] == [
        (
            edge["node"]["number"],
            edge["node"]["customer"]["email"],
            [
                (line["quantity"], line["sku"]["code"], line["sku"]["product"]["name"])
                for line in edge["node"]["lines"]
            ],
            [
                [a["location"]["code"] for a in line["allocations"]]
                for line in edge["node"]["lines"]
            ],
        )
        for edge in expected
    ]


async def test_edit_order(admin: GraphQLClient, stocked: None) -> None:
    order = (await place(admin))["order"]
    document = f"""mutation($input: EditOrderInput!) {{ editOrder(input: $input) {{
        order {{ lines {{ sku {{ code }} quantity quantityCancelled }} totals {{ total {{ amount }} }} payment {{ authorized {{ amount }} }} }} {ERRORS} }} }}"""
    edited = await admin.data(
        document,
        {
            "input": {
                "orderId": order["id"],
                "lines": [{"sku": "TEE-M", "quantity": 1}, {"sku": "TEE-L", "quantity": 2}],
            }
        },
    )
    result = edited["editOrder"]["order"]
    assert [
        (line["sku"]["code"], line["quantity"], line["quantityCancelled"])
        for line in result["lines"]
    ] == [
        ("TEE-M", 2, 1),
        ("TEE-L", 2, 0),
    ]
    assert result["payment"]["authorized"] == result["totals"]["total"]
    short = await admin.data(
        document, {"input": {"orderId": order["id"], "lines": [{"sku": "TEE-L", "quantity": 50}]}}
    )
    assert short["editOrder"]["userErrors"][0]["code"] == "INSUFFICIENT_STOCK"
    nothing = await admin.data(document, {"input": {"orderId": order["id"]}})
    assert nothing["editOrder"]["userErrors"][0]["code"] == "INVALID_INPUT"


async def test_a_keyed_edit_and_cancel_over_http_happen_once(
    admin: GraphQLClient, stocked: None
) -> None:
    order = (await place(admin, lines=[{"sku": "TEE-M", "quantity": 1}]))["order"]
    edit = (
        "mutation($id: ID!, $units: Int!) { editOrder(input: {orderId: $id, idempotencyKey: "
        '"e-1", lines: [{sku: "TEE-M", quantity: $units}]}) { order { updatedAt totals { total '
        f"{{ amount }} }} }} {ERRORS} }} }}"
    )
    first = (await admin.data(edit, {"id": order["id"], "units": 2}))["editOrder"]
    again = (await admin.data(edit, {"id": order["id"], "units": 2}))["editOrder"]
    assert again == first and first["userErrors"] == []
    other = (await admin.data(edit, {"id": order["id"], "units": 3}))["editOrder"]
    assert other["userErrors"][0]["code"] == "IDEMPOTENCY_CONFLICT"
    cancel = (
        'mutation($id: ID!) { cancelOrder(input: {orderId: $id, reason: "x", idempotencyKey: '
        f'"c-1"}}) {{ order {{ status updatedAt }} {ERRORS} }} }}'
    )
    cancelled = (await admin.data(cancel, {"id": order["id"]}))["cancelOrder"]
    assert (await admin.data(cancel, {"id": order["id"]}))["cancelOrder"] == cancelled
    assert cancelled["order"]["status"] == "CANCELLED"
