"""Webhooks over GraphQL: registering, reading deliveries and attempts, redelivery, replay,
deletion; who may; what is refused."""

from __future__ import annotations

from typing import Any

from api.db import Database
from api.settings import Settings
from api.webhooks.worker import WebhookWorker
from tests.factories import GraphQLClient
from tests.webhooks import Receiver, emit, quick, rounds

CREATE = """mutation($input: CreateWebhookInput!) { createWebhook(input: $input) {
  webhook { id url events active } secret userErrors { code field message } } }"""
WEBHOOKS = """{ webhooks { id url deliveries { id deliveryId status attemptCount lastStatusCode
  attempts { statusCode latencyMs error } } } }"""


async def create(client: GraphQLClient, **fields: Any) -> dict[str, Any]:
    data = await client.data(CREATE, {"input": fields})
    return dict(data["createWebhook"])


async def test_staff_register_a_webhook_and_follow_its_deliveries(
    admin: GraphQLClient, database: Database, settings: Settings, receiver: Receiver
) -> None:
    created = await create(admin, url=receiver.url, events=["ORDER_HELD"])
    assert created["userErrors"] == [] and len(created["secret"]) >= 16
    assert created["webhook"]["events"] == ["ORDER_HELD"] and created["webhook"]["active"]
    receiver.failures = 1
    await emit(database, 3)
    await rounds(WebhookWorker(database, quick(settings)), count=3)

    [webhook] = (await admin.data(WEBHOOKS))["webhooks"]
    [delivery] = webhook["deliveries"]
    assert (delivery["status"], delivery["attemptCount"], delivery["lastStatusCode"]) == (
        "DELIVERED",
        2,
        204,
    )
    assert [attempt["statusCode"] for attempt in delivery["attempts"]] == [503, 204]
    assert receiver.delivery_ids == [delivery["deliveryId"]] * 2

    redelivered = await admin.data(
        "mutation($id: ID!) { redeliverWebhook(input: {deliveryId: $id}) "
        "{ delivery { status } userErrors { code } } }",
        {"id": delivery["id"]},
    )
    assert redelivered["redeliverWebhook"]["delivery"]["status"] == "PENDING"
    await rounds(WebhookWorker(database, quick(settings)))
    assert len(receiver.received) == 3

    deleted = await admin.data(
        "mutation($id: ID!) { deleteWebhook(input: {id: $id}) { deletedId userErrors { code } } }",
        {"id": webhook["id"]},
    )
    assert deleted["deleteWebhook"]["deletedId"] == webhook["id"]
    assert (await admin.data(WEBHOOKS))["webhooks"] == []
    await emit(database, 4)
    await rounds(WebhookWorker(database, quick(settings)))
    assert len(receiver.received) == 3, "a deleted webhook receives nothing"


async def test_bad_input_is_a_user_error_and_writes_nothing(
    admin: GraphQLClient, database: Database
) -> None:
    for fields, field in [
        ({"url": "ftp://example.com/x"}, ["url"]),
        ({"url": "https://example.com/x", "secret": "short"}, ["secret"]),
    ]:
        answer = await create(admin, **fields)
        assert answer["webhook"] is None
        assert answer["userErrors"][0]["field"] == field
    assert (await admin.data(WEBHOOKS))["webhooks"] == []
    replayed = await admin.data(
        'mutation { replayWebhook(input: {webhookId: "V2ViaG9vazo5OQ==", after: "nope"}) '
        "{ webhook { id } userErrors { code field } } }"
    )
    assert replayed["replayWebhook"]["userErrors"][0]["field"] == ["after"]


async def test_webhooks_are_for_those_who_manage_them(
    warehouse: GraphQLClient, anonymous: GraphQLClient
) -> None:
    for client in (warehouse, anonymous):
        body = await client.execute(CREATE, {"input": {"url": "https://example.com/x"}})
        assert body["errors"][0]["extensions"]["code"] in ("FORBIDDEN", "UNAUTHENTICATED")
        body = await client.execute(WEBHOOKS)
        assert body["errors"][0]["extensions"]["code"] in ("FORBIDDEN", "UNAUTHENTICATED")


async def test_an_unknown_event_type_is_refused_by_the_schema(admin: GraphQLClient) -> None:
    body = await admin.execute(CREATE, {"input": {"url": "https://x.example", "events": ["NOPE"]}})
    assert "Value 'NOPE' does not exist in 'EventType' enum" in body["errors"][0]["message"]
