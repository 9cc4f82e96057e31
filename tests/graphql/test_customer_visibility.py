"""A tracking token shows an order as its customer sees it, through every path: nested
fields, named and inline fragments, mutations' payloads, subscriptions; and an order's
customer record needs customers:read whoever asks."""

from __future__ import annotations

import pytest
from graphql import parse

from api.db import Database
from schema.build import build_schema
from schema.visibility import fields_needing_credentials
from tests.factories import GraphQLClient, api_key
from tests.graphql.test_orders_graphql import place, stocked  # noqa: F401

SEEN_BY_A_CUSTOMER = """query($t: String!) { orderByTrackingToken(token: $t) {
  number status paymentStatus placedAt promisedAt
  totals { total { amount currency } }
  shippingAddress { name line1 city postalCode country }
  lines { quantity unitPrice { amount } sku { code name product { name } } }
  shipments { status carrier trackingNumber trackingEvents { status occurredAt } }
  returns { status lines { quantity reason } } refunds { amount { amount } } } }"""


async def test_a_customer_sees_their_order(
    admin: GraphQLClient,
    anonymous: GraphQLClient,
    stocked: None,  # noqa: F811
) -> None:
    token = (await place(admin))["trackingToken"]
    view = (await anonymous.data(SEEN_BY_A_CUSTOMER, {"t": token}))["orderByTrackingToken"]
    assert view["lines"][0]["sku"]["code"] and view["shippingAddress"]["city"]


@pytest.mark.parametrize(
    ("selection", "refused"),
    [
        ("customer { phone }", "Order.customer"),
        ("lines { sku { unitCost { amount } } }", "Sku.unitCost"),
        ("shipments { location { priority } }", "Shipment.location"),
        ("shipments { shippingCost { amount } }", "Shipment.shippingCost"),
        ("holdReason", "Order.holdReason"),
        ("timeline { data actor }", "Order.timeline"),
        ("...Internal", "Order.externalReference"),
        ("... on Order { channel { code } }", "Order.channel"),
        ("returns { lines { disposition location { code } } }", "ReturnLine.disposition"),
        ("lines { sku { product { skus { unitCost { amount } } } } }", "Product.skus"),
    ],
)
async def test_a_tracking_token_reaches_nothing_internal(
    admin: GraphQLClient,
    anonymous: GraphQLClient,
    stocked: None,  # noqa: F811
    selection: str,
    refused: str,
) -> None:
    token = (await place(admin))["trackingToken"]
    body = await anonymous.execute(
        f"query($t: String!) {{ orderByTrackingToken(token: $t) {{ number {selection} }} }} "
        "fragment Internal on Order { externalReference }"
        if "...Internal" in selection
        else f"query($t: String!) {{ orderByTrackingToken(token: $t) {{ number {selection} }} }}",
        {"t": token},
    )
    assert body.get("data") is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert refused in body["errors"][0]["message"]


def test_every_path_of_a_document_is_checked() -> None:
    schema = build_schema()._schema

    def closed(document: str) -> list[str]:
        return fields_needing_credentials(schema, parse(document))

    assert closed('{ orderByTrackingToken(token: "t") { number lines { quantity } } }') == []
    assert closed(
        'subscription { orderUpdated(trackingToken: "t") { event { type data actor } } }'
    ) == ["Event.actor", "Event.data"]
    assert closed(
        'subscription { shipmentUpdated(trackingToken: "t") { status pickList { id } } }'
    ) == ["PickList.id", "Shipment.pickList"]
    assert closed(
        'mutation { requestReturn(input: {trackingToken: "t", lines: []}) '
        "{ return { order { customer { email } } } userErrors { code message field } } }"
    ) == ["Customer.email", "Order.customer"]
    # A fragment is checked wherever it is spread, even beneath a guarded field.
    assert closed(
        "{ orders { nodes { ...Mine } } } fragment Mine on Order { routingDecision { reason } }"
    ) == ["Order.routingDecision", "RoutingDecision.reason"]
    assert closed("{ orders { nodes { routingDecision { reason } } } }") == [], (
        "a root field that needs a permission refuses anonymous callers itself"
    )


ORDER_WITH_CUSTOMER = "{ orders(first: 5) { nodes { number customer { phone } } } }"


async def test_an_orders_customer_needs_customers_read(
    admin: GraphQLClient,
    anonymous: GraphQLClient,
    database: Database,
    stocked: None,  # noqa: F811
) -> None:
    await place(admin)
    narrow = await api_key(database, "orders:read")
    refused = await anonymous.execute(ORDER_WITH_CUSTOMER, token=narrow)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    own_address = await anonymous.data(
        "{ orders(first: 5) { nodes { email shippingAddress { line1 city } } } }", token=narrow
    )
    assert own_address["orders"]["nodes"][0]["shippingAddress"]["city"]
    both = await api_key(database, "orders:read", "customers:read")
    assert (await anonymous.data(ORDER_WITH_CUSTOMER, token=both))["orders"]["nodes"]
