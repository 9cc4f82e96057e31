"""Returns, refunds and feedback over HTTP, by customers with their token and by staff."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from api.catalog.models import Sku
from api.db import Database
from api.events.models import Event
from api.orders.models import OrderLine
from api.orders.placement import PlacedOrder
from schema.relay import encode_global_id
from tests.factories import GraphQLClient, api_key
from tests.invariants import assert_invariants
from tests.service.fulfilment.conftest import Warehouse, warehouse  # noqa: F401  (fixture)
from tests.service.fulfilment.test_picking import level
from tests.service.returns.conftest import deliver

ERRORS = "userErrors { code field message }"
RETURN = "return { id status lines { id sku { code } quantity quantityReceived disposition } }"
# What a customer's own request shows them: no dispositions, which are the warehouse's.
CUSTOMER_RETURN = "return { id status lines { id sku { code } quantity quantityReceived } }"
REQUEST = f"mutation($input: RequestReturnInput!) {{ requestReturn(input: $input) {{ {CUSTOMER_RETURN} {ERRORS} }} }}"
APPROVE = (
    f"mutation($input: ReturnIdInput!) {{ approveReturn(input: $input) {{ {RETURN} {ERRORS} }} }}"
)
REJECT = f"mutation($input: RejectReturnInput!) {{ rejectReturn(input: $input) {{ {RETURN} {ERRORS} }} }}"
RECEIVE = f"mutation($input: ReceiveReturnInput!) {{ receiveReturn(input: $input) {{ {RETURN} {ERRORS} }} }}"
REFUND = f"""mutation($input: RefundReturnInput!) {{ refundReturn(input: $input) {{
    refund {{ amount {{ amount currency }} }} return {{ status }} {ERRORS} }} }}"""
FEEDBACK = f"""mutation($input: SubmitFeedbackInput!) {{ submitFeedback(input: $input) {{
    feedback {{ rating }} {ERRORS} }} }}"""
MINE = """query($t: String!) { orderByTrackingToken(token: $t) { paymentStatus returnStatus
    returns { status lines { quantity quantityReceived } } refunds { amount { amount } } feedback { rating } } }"""


@pytest.fixture
async def delivered(warehouse: Warehouse) -> PlacedOrder:  # noqa: F811
    return await deliver(warehouse, ("S1", 3), ("S2", 1))


async def line_ids(database: Database) -> dict[str, str]:
    async with database.session() as session:
        rows = await session.execute(
            select(Sku.code, OrderLine.id).join(OrderLine, OrderLine.sku_id == Sku.id)
        )
        return {code: encode_global_id("OrderLine", line_id) for code, line_id in rows.all()}


async def call(
    client: GraphQLClient, document: str, field: str, **variables: Any
) -> dict[str, Any]:
    payload: dict[str, Any] = (await client.data(document, {"input": variables}))[field]
    return payload


async def test_a_customer_returns_staff_receive_and_refund(
    anonymous: GraphQLClient,
    admin: GraphQLClient,
    database: Database,
    warehouse: Warehouse,  # noqa: F811
    delivered: PlacedOrder,
) -> None:
    token = delivered.tracking_token
    lines = await line_ids(database)
    requested = await call(
        anonymous,
        REQUEST,
        "requestReturn",
        trackingToken=token,
        lines=[
            {"orderLineId": lines["S1"], "quantity": 1, "reason": "CHANGED_MIND"},
            {"orderLineId": lines["S2"], "quantity": 1, "reason": "DAMAGED"},
        ],
    )
    assert requested["userErrors"] == []
    the_return = requested["return"]
    assert the_return["status"] == "REQUESTED"
    approved = await call(admin, APPROVE, "approveReturn", returnId=the_return["id"])
    assert approved["return"]["status"] == "APPROVED"
    s1_before = await level(database, warehouse.berlin.id, "S1")  # type: ignore[arg-type]
    s2_before = await level(database, warehouse.berlin.id, "S2")  # type: ignore[arg-type]
    s1_line, s2_line = the_return["lines"]
    received = await call(
        admin,
        RECEIVE,
        "receiveReturn",
        returnId=the_return["id"],
        lines=[
            {
                "returnLineId": s1_line["id"],
                "quantity": 1,
                "condition": "NEW",
                "disposition": "RESTOCK",
            },
            {
                "returnLineId": s2_line["id"],
                "quantity": 1,
                "condition": "DAMAGED",
                "disposition": "DAMAGED",
            },
        ],
    )
    assert received["userErrors"] == []
    assert [
        (x["sku"]["code"], x["quantityReceived"], x["disposition"])
        for x in received["return"]["lines"]
    ] == [
        ("S1", 1, "RESTOCK"),
        ("S2", 1, "DAMAGED"),
    ]
    s1_after = await level(database, warehouse.berlin.id, "S1")  # type: ignore[arg-type]
    s2_after = await level(database, warehouse.berlin.id, "S2")  # type: ignore[arg-type]
    assert (s1_after.on_hand - s1_before.on_hand, s1_after.damaged - s1_before.damaged) == (1, 0)
    assert (s2_after.on_hand - s2_before.on_hand, s2_after.damaged - s2_before.damaged) == (0, 1)
    again = await call(
        admin,
        RECEIVE,
        "receiveReturn",
        returnId=the_return["id"],
        lines=[
            {
                "returnLineId": s1_line["id"],
                "quantity": 1,
                "condition": "NEW",
                "disposition": "RESTOCK",
            }
        ],
    )
    assert again["userErrors"][0]["code"] == "ILLEGAL_TRANSITION"

    refunded = await call(
        admin, REFUND, "refundReturn", returnId=the_return["id"], idempotencyKey="r-1"
    )
    assert refunded["userErrors"] == []
    assert refunded["refund"]["amount"] == {"amount": 2 * (1000 + 190), "currency": "EUR"}
    assert refunded["return"]["status"] == "REFUNDED"
    replay = await call(
        admin, REFUND, "refundReturn", returnId=the_return["id"], idempotencyKey="r-1"
    )
    assert replay["refund"] == refunded["refund"]

    mine = (await anonymous.data(MINE, {"t": token}))["orderByTrackingToken"]
    assert (mine["paymentStatus"], mine["returnStatus"]) == (
        "PARTIALLY_REFUNDED",
        "PARTIALLY_RETURNED",
    )
    assert mine["returns"] == [{"status": "REFUNDED", "lines": [
        {"quantity": 1, "quantityReceived": 1}, {"quantity": 1, "quantityReceived": 1},
    ]}]  # fmt: skip
    assert mine["refunds"] == [{"amount": {"amount": 2380}}]

    rated = await call(
        anonymous, FEEDBACK, "submitFeedback", trackingToken=token, rating=4, comment="fine"
    )
    assert rated["feedback"] == {"rating": 4}
    twice = await call(anonymous, FEEDBACK, "submitFeedback", trackingToken=token, rating=5)
    assert twice["userErrors"][0]["code"] == "ALREADY_EXISTS"
    for rating in (0, 6):
        bad = await call(anonymous, FEEDBACK, "submitFeedback", trackingToken=token, rating=rating)
        assert bad["userErrors"][0]["field"] == ["rating"]
    listed = await admin.data("{ returns(filter: {status: [REFUNDED]}) { totalCount } }")
    assert listed["returns"]["totalCount"] == 1
    await assert_invariants(database)


async def test_a_token_opens_only_its_own_order(
    anonymous: GraphQLClient, admin: GraphQLClient, database: Database, delivered: PlacedOrder
) -> None:
    lines = await line_ids(database)
    line = {"orderLineId": lines["S1"], "quantity": 1, "reason": "OTHER"}
    as_stranger = await anonymous.execute(
        REQUEST,
        {"input": {"orderId": encode_global_id("Order", delivered.order.id), "lines": [line]}},  # type: ignore[arg-type]
    )
    assert as_stranger["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    wrong_token = await call(
        anonymous, REQUEST, "requestReturn", trackingToken="guess", lines=[line]
    )
    assert wrong_token["userErrors"][0]["code"] == "NOT_FOUND"
    too_many = await call(
        admin, REQUEST, "requestReturn", orderId=encode_global_id("Order", delivered.order.id),  # type: ignore[arg-type]
        lines=[{**line, "quantity": 4}],
    )  # fmt: skip
    assert (too_many["return"], too_many["userErrors"][0]["code"]) == (None, "INVALID_INPUT")
    rejected = (
        await call(
            admin,
            REQUEST,
            "requestReturn",
            orderId=encode_global_id("Order", delivered.order.id),
            lines=[line],
        )
    )["return"]  # type: ignore[arg-type]
    await call(admin, REJECT, "rejectReturn", returnId=rejected["id"], reason="used")
    refused = await call(admin, REFUND, "refundReturn", returnId=rejected["id"])
    assert refused["userErrors"][0]["code"] == "ILLEGAL_TRANSITION"


EXCHANGE = f"""mutation($input: CreateExchangeInput!) {{ createExchange(input: $input) {{
    order {{ number status lines {{ sku {{ code }} quantity }} }} {ERRORS} }} }}"""


async def test_an_exchange_moves_money_so_it_needs_refunds_write(
    admin: GraphQLClient, database: Database, delivered: PlacedOrder
) -> None:
    returns_only = await api_key(database, "returns:write", "orders:read")
    answer = await admin.execute(
        EXCHANGE,
        {"input": {"returnId": "UmV0dXJuOjE=", "lines": [{"sku": "S2", "quantity": 1}]}},
        token=returns_only,
    )
    assert answer["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "refunds:write" in answer["errors"][0]["message"]


async def test_an_exchange_over_graphql(
    admin: GraphQLClient, database: Database, delivered: PlacedOrder
) -> None:
    lines = await line_ids(database)
    order_id = encode_global_id("Order", delivered.order.id)  # type: ignore[arg-type]
    the_return = (
        await call(admin, REQUEST, "requestReturn", orderId=order_id, resolution="EXCHANGE",
                   lines=[{"orderLineId": lines["S1"], "quantity": 1, "reason": "WRONG_ITEM"}])
    )["return"]  # fmt: skip
    await call(admin, APPROVE, "approveReturn", returnId=the_return["id"])
    await call(admin, RECEIVE, "receiveReturn", returnId=the_return["id"], lines=[
        {"returnLineId": the_return["lines"][0]["id"], "quantity": 1, "condition": "NEW", "disposition": "RESTOCK"},
    ])  # fmt: skip
    exchanged = (
        await admin.data(
            EXCHANGE,
            {
                "input": {
                    "returnId": the_return["id"],
                    "lines": [{"sku": "S2", "quantity": 1}],
                    "paymentToken": "tok_visa",
                }
            },
        )
    )["createExchange"]
    assert exchanged["userErrors"] == []
    assert exchanged["order"]["status"] == "CONFIRMED"
    assert exchanged["order"]["lines"] == [{"sku": {"code": "S2"}, "quantity": 1}]
    linked = await admin.data(
        "query($id: ID!) { node(id: $id) { ... on Return { status exchangeOrders { number } } } }",
        {"id": the_return["id"]},
    )
    assert linked["node"] == {
        "status": "EXCHANGED",
        "exchangeOrders": [{"number": exchanged["order"]["number"]}],
    }
    await assert_invariants(database)


async def test_the_whole_post_sale_story(
    anonymous: GraphQLClient,
    admin: GraphQLClient,
    http: Any,
    database: Database,
    warehouse: Warehouse,  # noqa: F811
) -> None:
    """Delivered; the customer returns three units with the token; staff approve (a label is
    booked), receive one RESTOCK and one DAMAGED and refund them, and exchange the third."""
    placed = await deliver(warehouse, ("S1", 1), ("S2", 1), ("S3", 1))
    lines = await line_ids(database)
    token = placed.tracking_token
    berlin = warehouse.berlin.id
    before = {sku: await level(database, berlin, sku) for sku in ("S1", "S2", "S3", "S4")}  # type: ignore[arg-type]

    def ask(*skus: str) -> list[dict[str, Any]]:
        return [
            {"orderLineId": lines[sku], "quantity": 1, "reason": "NOT_AS_DESCRIBED"} for sku in skus
        ]

    refunded = (
        await call(anonymous, REQUEST, "requestReturn", trackingToken=token, lines=ask("S1", "S2"))
    )["return"]
    exchanged = (
        await call(
            anonymous,
            REQUEST,
            "requestReturn",
            trackingToken=token,
            lines=ask("S3"),
            resolution="EXCHANGE",
        )
    )["return"]
    for the_return in (refunded, exchanged):
        await call(admin, APPROVE, "approveReturn", returnId=the_return["id"])
    label_url = (
        await admin.data(
            "query($id: ID!) { node(id: $id) { ... on Return { labelUrl } } }",
            {"id": refunded["id"]},
        )
    )["node"]["labelUrl"]
    label = await http.get(label_url)
    assert (label.status_code, label.content[:4]) == (200, b"%PDF")

    s1, s2 = refunded["lines"]
    await call(admin, RECEIVE, "receiveReturn", returnId=refunded["id"], lines=[
        {"returnLineId": s1["id"], "quantity": 1, "condition": "OPENED", "disposition": "RESTOCK"},
        {"returnLineId": s2["id"], "quantity": 1, "condition": "DAMAGED", "disposition": "DAMAGED"},
    ])  # fmt: skip
    refund = await call(admin, REFUND, "refundReturn", returnId=refunded["id"])
    assert refund["refund"]["amount"]["amount"] == 2 * 1190
    await call(admin, RECEIVE, "receiveReturn", returnId=exchanged["id"], lines=[
        {"returnLineId": exchanged["lines"][0]["id"], "quantity": 1, "condition": "NEW", "disposition": "RESTOCK"},
    ])  # fmt: skip
    swap = (
        await admin.data(
            f"""mutation($input: CreateExchangeInput!) {{ createExchange(input: $input) {{
                order {{ totals {{ total {{ amount }} }} payment {{ authorized {{ amount }} }} }} {ERRORS} }} }}""",
            {
                "input": {
                    "returnId": exchanged["id"],
                    "lines": [{"sku": "S4", "quantity": 1}],
                    "paymentToken": "tok_visa",
                }
            },
        )
    )["createExchange"]
    assert swap["userErrors"] == []
    new_total = swap["order"]["totals"]["total"]["amount"]
    assert swap["order"]["payment"]["authorized"]["amount"] == new_total - 1190
    for the_return in (refunded, exchanged):
        closed = await call(
            admin,
            "mutation($input: ReturnIdInput!) { closeReturn(input: $input) { return { status } userErrors { code } } }",
            "closeReturn",
            returnId=the_return["id"],
        )
        assert closed["return"]["status"] == "CLOSED"

    after = {sku: await level(database, berlin, sku) for sku in ("S1", "S2", "S3", "S4")}  # type: ignore[arg-type]
    moved = {sku: (after[sku].on_hand - before[sku].on_hand, after[sku].damaged - before[sku].damaged,
                   after[sku].reserved - before[sku].reserved) for sku in after}  # fmt: skip
    # S1 and S3 are back on the shelf, S2 is damaged, S4 is held for the exchange
    assert moved == {"S1": (1, 0, 0), "S2": (0, 1, 0), "S3": (1, 0, 0), "S4": (0, 0, 1)}
    mine = (await anonymous.data(MINE, {"t": token}))["orderByTrackingToken"]
    assert [r["status"] for r in mine["returns"]] == ["CLOSED", "CLOSED"]
    assert mine["returnStatus"] == "RETURNED"
    assert mine["refunds"] == [{"amount": {"amount": 2380}}]
    async with database.session() as session:
        events = list(
            (await session.execute(select(Event.type).where(Event.type.like("RETURN_%")))).scalars()
        )
    assert sorted(set(events)) == [
        "RETURN_APPROVED",
        "RETURN_CLOSED",
        "RETURN_RECEIVED",
        "RETURN_REQUESTED",
    ]
    await assert_invariants(database)
