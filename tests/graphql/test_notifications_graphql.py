"""Customers' mail over HTTP: staff read an order's messages and every message, send one again,
set a customer's preferences; the mail's link opens the order as its customer sees it, and the
survey's unsubscribe link opts its customer out."""

from __future__ import annotations

import httpx

from api.db import Database
from api.notifications import outbox
from api.notifications.unsubscribing import unsubscribe_path
from api.orders.links import link_token
from api.orders.models import Order
from api.settings import Settings
from tests.factories import GraphQLClient, api_key
from tests.service.orders.conftest import Shop

MESSAGES = """query($number: String!) { order(number: $number) { messages {
  id kind status transactional locale recipient subject textBody htmlBody attemptCount
  resendOfId attempts { replyCode } } } }"""
RESEND = """mutation($id: ID!) { resendMessage(input: {messageId: $id}) {
  message { id status kind resendOfId subject } userErrors { code field } } }"""
PREFERENCES = """mutation($input: SetCustomerPreferencesInput!) { setCustomerPreferences(input: $input)
  { customer { id locale receivesSurveys } userErrors { code field } } }"""
BY_TOKEN = "query($token: String!) { orderByTrackingToken(token: $token) { number status } }"


async def placed_and_told(shop: Shop, settings: Settings) -> tuple[Order, str]:
    placed = await shop.place(("TEE-M", 1))
    await outbox.catch_up(shop.database, settings)
    assert placed.order.id is not None
    return placed.order, f"SO-{placed.order.id:06d}"


async def test_staff_read_an_orders_mail_and_send_one_again(
    admin: GraphQLClient, shop: Shop, settings: Settings
) -> None:
    _, number = await placed_and_told(shop, settings)
    [message] = (await admin.data(MESSAGES, {"number": number}))["order"]["messages"]
    assert (message["kind"], message["status"], message["transactional"]) == (
        "ORDER_CONFIRMED", "PENDING", True,
    )  # fmt: skip
    assert number in message["subject"] and "Tee M" in message["htmlBody"]
    assert (message["attemptCount"], message["attempts"], message["resendOfId"]) == (0, [], None)
    again = (await admin.data(RESEND, {"id": message["id"]}))["resendMessage"]
    assert again["userErrors"] == []
    assert again["message"]["resendOfId"] == message["id"]
    assert (again["message"]["status"], again["message"]["subject"]) == (
        "PENDING", message["subject"],
    )  # fmt: skip
    listed = await admin.data(
        "{ messages(filter: {kind: [ORDER_CONFIRMED]}) { totalCount "
        "edges { node { id order { number } } } } }"
    )
    assert listed["messages"]["totalCount"] == 2
    assert [edge["node"]["order"]["number"] for edge in listed["messages"]["edges"]] == [number] * 2
    found = await admin.data(
        "query($id: ID!) { node(id: $id) { ... on CustomerMessage { kind } } }",
        {"id": message["id"]},
    )
    assert found["node"] == {"kind": "ORDER_CONFIRMED"}


async def test_who_may_read_and_resend_messages(
    http: httpx.AsyncClient,
    warehouse: GraphQLClient,
    anonymous: GraphQLClient,
    database: Database,
    shop: Shop,
    settings: Settings,
) -> None:
    _, number = await placed_and_told(shop, settings)
    reader = GraphQLClient(http, await api_key(database, "orders:read"))
    [message] = (await reader.data(MESSAGES, {"number": number}))["order"]["messages"]
    refused = await reader.execute(RESEND, {"id": message["id"]})
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    picked = await warehouse.execute(RESEND, {"id": message["id"]})
    assert picked["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    nobody = await anonymous.execute("{ messages { totalCount } }")
    assert nobody["errors"][0]["extensions"]["code"] in ("UNAUTHENTICATED", "FORBIDDEN")


async def test_a_mails_link_opens_the_order_as_its_customer_sees_it(
    anonymous: GraphQLClient, shop: Shop, settings: Settings
) -> None:
    order, number = await placed_and_told(shop, settings)
    assert order.id is not None
    token = link_token(order.id, order.tracking_token_hash, settings.secret_key)
    opened = await anonymous.data(BY_TOKEN, {"token": token})
    assert opened["orderByTrackingToken"] == {"number": number, "status": "CONFIRMED"}
    for forged in (
        link_token(order.id, order.tracking_token_hash, "another-secret-of-32-characters-xx"),
        f"{order.id + 1}.{token.split('.')[1]}",
        f"{order.id}.",
        "x.y",
    ):
        assert (await anonymous.data(BY_TOKEN, {"token": forged}))["orderByTrackingToken"] is None
    staff_only = await anonymous.execute(
        "query($token: String!) { orderByTrackingToken(token: $token) { messages { subject } } }",
        {"token": token},
    )
    assert staff_only["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_staff_set_a_customers_language_and_surveys(
    admin: GraphQLClient, shop: Shop, settings: Settings
) -> None:
    await placed_and_told(shop, settings)
    customer_id = (await admin.data("{ customers { edges { node { id } } } }"))["customers"][
        "edges"
    ][0]["node"]["id"]
    answer = await admin.data(
        PREFERENCES,
        {"input": {"customerId": customer_id, "receivesSurveys": False, "locale": "de-AT"}},
    )
    assert answer["setCustomerPreferences"]["customer"] == {
        "id": customer_id, "locale": "de-AT", "receivesSurveys": False,
    }  # fmt: skip
    bad = await admin.data(PREFERENCES, {"input": {"customerId": customer_id, "locale": "no such"}})
    assert bad["setCustomerPreferences"]["userErrors"] == [
        {"code": "INVALID_INPUT", "field": ["locale"]}
    ]


async def test_the_surveys_unsubscribe_link_opts_its_customer_out(
    http: httpx.AsyncClient, admin: GraphQLClient, shop: Shop, settings: Settings
) -> None:
    order, _ = await placed_and_told(shop, settings)
    path = unsubscribe_path(order.customer_id, settings.secret_key)
    shown = await http.get(path)
    assert shown.status_code == 200 and "<form method='post'>" in shown.text
    surveys = "{ customers { edges { node { receivesSurveys } } } }"
    assert (await admin.data(surveys))["customers"]["edges"][0]["node"]["receivesSurveys"]
    done = await http.post(path, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "no more surveys" in done.text
    assert not (await admin.data(surveys))["customers"]["edges"][0]["node"]["receivesSurveys"]
    forged = f"/unsubscribe/{order.customer_id}.{'A' * 43}"
    assert (await http.post(forged)).status_code == 404
    assert (await http.get("/unsubscribe/%C3%A9.x")).status_code == 404
