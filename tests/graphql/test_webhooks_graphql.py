"""Webhooks over GraphQL: registering, reading deliveries and attempts, redelivery, replay,
deletion; who may; what is refused."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from api.auth import SYSTEM_ACTOR
from api.customers.events import CustomerCreated
from api.db import Database
from api.settings import Settings
from api.users.models import ApiKey
from api.users.service import revoke_api_key
from api.webhooks.worker import WebhookWorker
from tests.factories import GraphQLClient, api_key, inventory_received
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


NODE = "query($id: ID!) { node(id: $id) { id ... on Webhook { url } } }"


async def test_a_key_manages_only_its_own_webhooks(
    admin: GraphQLClient, anonymous: GraphQLClient, database: Database, settings: Settings,
    receiver: Receiver,
) -> None:  # fmt: skip
    partner_a = GraphQLClient(
        anonymous.http, await api_key(database, "webhooks:manage", "orders:read")
    )
    partner_b = GraphQLClient(
        anonymous.http, await api_key(database, "webhooks:manage", "orders:read")
    )
    mine = (await create(partner_a, url=receiver.url, events=["ORDER_HELD"]))["webhook"]
    await emit(database, 1)
    await rounds(WebhookWorker(database, quick(settings)))
    [delivery] = (await partner_a.data(WEBHOOKS))["webhooks"][0]["deliveries"]

    assert (await partner_b.data(WEBHOOKS))["webhooks"] == []
    assert (await partner_b.data(NODE, {"id": mine["id"]}))["node"] is None
    assert (await partner_b.data(NODE, {"id": delivery["id"]}))["node"] is None
    for mutation, variables in [
        ("mutation($id: ID!) { deleteWebhook(input: {id: $id}) { userErrors { code } } }",
         {"id": mine["id"]}),
        ("mutation($id: ID!) { redeliverWebhook(input: {deliveryId: $id}) { userErrors { code } } }",
         {"id": delivery["id"]}),
    ]:  # fmt: skip
        answer = await partner_b.data(mutation, variables)
        assert next(iter(answer.values()))["userErrors"] == [{"code": "NOT_FOUND"}]
    assert [hook["id"] for hook in (await admin.data(WEBHOOKS))["webhooks"]] == [mine["id"]]
    assert (await partner_a.data(NODE, {"id": mine["id"]}))["node"]["url"] == receiver.url


async def test_a_webhook_receives_only_what_its_owner_may_read(
    anonymous: GraphQLClient, database: Database, settings: Settings, receiver: Receiver
) -> None:
    secret = await api_key(database, "webhooks:manage", "orders:read")
    partner = GraphQLClient(anonymous.http, secret)
    refused = await create(partner, url=receiver.url, events=["ORDER_HELD", "INVENTORY_RECEIVED"])
    assert refused["userErrors"][0]["field"] == ["events"]
    assert "inventory:read" in refused["userErrors"][0]["message"]
    await create(partner, url=receiver.url)  # every event it may read
    await emit(database, 1)
    await emit(database, 2, event=lambda n: CustomerCreated(customer_id=n, email="ada@example.com"))
    await emit(database, 3, event=inventory_received)
    await rounds(WebhookWorker(database, quick(settings)))
    types = [json.loads(body)["event"]["type"] for _, body in receiver.received]
    assert types == ["WEBHOOK_CREATED", "ORDER_HELD"], "its own creation, and the order event"

    async with database.unit_of_work(SYSTEM_ACTOR) as uow:  # the partner's key is revoked
        prefix = secret.split("_")[1]
        key_id = (
            await uow.session.execute(select(ApiKey.id).where(ApiKey.prefix == prefix))
        ).scalar_one()
        await revoke_api_key(uow, api_key_id=key_id)
    await emit(database, 4)
    await rounds(WebhookWorker(database, quick(settings)))
    assert len(receiver.received) == 2, "a revoked owner's webhook delivers nothing more"


async def test_a_replay_never_reaches_before_the_webhook_was_made(
    admin: GraphQLClient, database: Database, settings: Settings, receiver: Receiver
) -> None:
    await emit(database, 1, 2)
    start = (await admin.data("{ events(first: 1) { edges { cursor } } }"))["events"]
    created = (await create(admin, url=receiver.url, events=["ORDER_HELD"]))["webhook"]
    await emit(database, 3)
    await rounds(WebhookWorker(database, quick(settings)))
    replayed = await admin.data(
        "mutation($id: ID!, $after: String!) { replayWebhook(input: {webhookId: $id, "
        "after: $after}) { userErrors { code } } }",
        {"id": created["id"], "after": start["edges"][0]["cursor"]},
    )
    assert replayed["replayWebhook"]["userErrors"] == []
    await rounds(WebhookWorker(database, quick(settings)))
    orders = [json.loads(body)["event"]["orderId"] for _, body in receiver.received]
    assert orders == [3, 3], "order 3 again; orders 1 and 2 came before the webhook"


async def test_a_delivery_names_its_event_whose_cursor_replays_what_followed(
    admin: GraphQLClient, database: Database, settings: Settings, receiver: Receiver
) -> None:
    created = (await create(admin, url=receiver.url, events=["ORDER_HELD"]))["webhook"]
    await emit(database, 5, 6)
    await rounds(WebhookWorker(database, quick(settings)))
    [webhook] = (await admin.data("{ webhooks { deliveries { event { type orderId cursor } } } }"))[
        "webhooks"
    ]
    oldest = webhook["deliveries"][-1]["event"]
    assert oldest["type"] == "ORDER_HELD"
    replayed = await admin.data(
        "mutation($id: ID!, $after: String!) { replayWebhook(input: {webhookId: $id, "
        "after: $after}) { userErrors { code } } }",
        {"id": created["id"], "after": oldest["cursor"]},
    )
    assert replayed["replayWebhook"]["userErrors"] == []
    await rounds(WebhookWorker(database, quick(settings)))
    orders = [json.loads(body)["event"]["orderId"] for _, body in receiver.received]
    assert orders == [5, 6, 6], "only what followed the named event comes again"
