"""One customer's whole story over HTTP and a real mail server: the order is placed and
confirmed by mail, ships (a mail with its tracking number), is delivered (a mail, then the
survey), the survey's link opens the order as its customer sees it, the rating given there is
recorded, and the shop's satisfaction figure moves."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from api.db import Database
from api.kpis import projection as kpi_projection
from api.notifications import outbox
from api.notifications.mail import transports_for
from api.notifications.sender import NotificationSender
from api.settings import Settings
from tests.factories import GraphQLClient
from tests.graphql.test_fulfilment_flow import CONFIRM, PACK, PLACE, SHIP, TRACK, WAVE
from tests.graphql.test_fulfilment_flow import shop as fulfilment_shop  # noqa: F401  (fixture)
from tests.mail import Mailbox, Received, mail_server

KPIS = """query($from: DateTime!, $to: DateTime!) { kpis(from: $from, to: $to) {
  totals { csat { count outOf } averageRating } } }"""
BY_TOKEN = """query($token: String!) { orderByTrackingToken(token: $token) {
  number status shipments { trackingNumber status } } }"""
FEEDBACK = """mutation($input: SubmitFeedbackInput!) { submitFeedback(input: $input) {
  feedback { rating comment } userErrors { code } } }"""


@pytest.fixture
def smtp() -> Iterator[tuple[str, Mailbox]]:
    with mail_server() as serving:
        yield serving


class Post:
    """The shop's mail, sent as a running sender would: the outbox, then a round of sending."""

    def __init__(self, database: Database, settings: Settings, mailbox: Mailbox) -> None:
        self.database, self.settings, self.mailbox = database, settings, mailbox
        self.sender = NotificationSender(database, settings, transports_for(settings))

    async def mail(self, subject: str) -> Received:
        await outbox.catch_up(self.database, self.settings)
        await self.sender.send_due()
        found = [mail for mail in self.mailbox.received if subject in mail.message["Subject"]]
        assert len(found) == 1, [mail.message["Subject"] for mail in self.mailbox.received]
        return found[0]

    def link_token(self, mail: Received) -> str:
        page = f"{self.settings.customer_page_url}#"
        assert page in mail.text and page in mail.html
        return mail.text.split(page, 1)[1].split()[0]


async def csat(admin: GraphQLClient, database: Database) -> dict[str, Any]:
    await kpi_projection.catch_up(database)
    now = datetime.now(UTC)
    span = {
        "from": (now - timedelta(days=1)).isoformat(),
        "to": (now + timedelta(days=1)).isoformat(),
    }
    totals: dict[str, Any] = (await admin.data(KPIS, span))["kpis"]["totals"]
    return totals


async def test_a_customer_hears_of_every_step_and_rates_the_order_from_the_mail(
    admin: GraphQLClient,
    anonymous: GraphQLClient,
    database: Database,
    settings: Settings,
    smtp: tuple[str, Mailbox],
    fulfilment_shop: dict[str, str],  # noqa: F811
) -> None:
    url, mailbox = smtp
    settings = settings.model_copy(update={"smtp_url": url})
    post = Post(database, settings, mailbox)
    before = await csat(admin, database)

    placed = await admin.data(PLACE, {"input": {
        "channel": "web", "customer": {"email": "grace@example.com", "name": "Grace Hopper"},
        "lines": [{"sku": "A", "quantity": 1}, {"sku": "B", "quantity": 1}],
        "shippingAddress": {"name": "Grace Hopper", "line1": "Am Neuen Markt 1", "city": "Potsdam",
                            "postalCode": "14467", "country": "DE"},
        "payment": {"token": "tok_visa"},
    }})  # fmt: skip
    order = placed["placeOrder"]["order"]
    confirmed = await post.mail("is confirmed")
    assert confirmed.recipients == ["grace@example.com"]
    number = confirmed.message["Subject"].split()[2]
    assert "Hello Grace Hopper" in confirmed.text

    [shipment] = order["shipments"]
    wave = await admin.data(WAVE, {"input": {"locationId": fulfilment_shop["BER"]}})
    tasks = wave["createPickList"]["pickList"]["tasks"]
    picks = [{"taskId": task["id"], "quantity": task["quantity"]} for task in tasks]
    await admin.data(CONFIRM, {"input": {"pickListId": wave["createPickList"]["pickList"]["id"],
                                         "picks": picks}})  # fmt: skip
    await admin.data(
        PACK, {"input": {"shipmentId": shipment["id"], "packages": [{"weightGrams": 500}]}}
    )
    shipped = (await admin.data(SHIP, {"input": {"shipmentId": shipment["id"]}}))["shipShipment"]
    tracking_number = shipped["shipment"]["trackingNumber"]
    on_its_way = await post.mail("has shipped")
    assert tracking_number in on_its_way.text and shipped["shipment"]["carrier"] in on_its_way.text

    delivered_at = datetime.now(UTC).isoformat()
    await admin.data(TRACK, {"input": {"trackingNumber": tracking_number, "status": "DELIVERED",
                                       "occurredAt": delivered_at}})  # fmt: skip
    await post.mail("was delivered")
    survey = await post.mail("How was your order")
    assert survey.message["List-Unsubscribe"]

    token = post.link_token(survey)
    seen = (await anonymous.data(BY_TOKEN, {"token": token}))["orderByTrackingToken"]
    assert seen == {"number": number, "status": "DELIVERED",
                    "shipments": [{"trackingNumber": tracking_number, "status": "DELIVERED"}]}  # fmt: skip
    rated = await anonymous.data(
        FEEDBACK, {"input": {"trackingToken": token, "rating": 5, "comment": "Lovely"}}
    )
    assert rated["submitFeedback"] == {
        "feedback": {"rating": 5, "comment": "Lovely"}, "userErrors": []
    }  # fmt: skip
    after = await csat(admin, database)
    assert after["csat"]["outOf"] == before["csat"]["outOf"] + 1
    assert after["csat"]["count"] == before["csat"]["count"] + 1
    assert after["averageRating"] == 5
    assert len(mailbox.received) == 4
    await post.sender.close()
