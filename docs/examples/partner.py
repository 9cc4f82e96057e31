"""A partner's first hour against the demo data, end to end (see docs/INTEGRATING.md).

    make run                                     # in another terminal: API on 127.0.0.1:8000
    .venv/bin/python docs/examples/partner.py    # or: partner.py http://127.0.0.1:8000/graphql

Each step prints what it did; the script stops at the first surprise.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import sys
import time
import uuid
from typing import Any

import httpx
from websockets.asyncio.client import connect

URL = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000/graphql"


def graphql(query: str, variables: dict[str, Any] | None = None, token: str | None = None) -> Any:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    body = httpx.post(URL, json={"query": query, "variables": variables or {}}, headers=headers)
    answer = body.json()
    if answer.get("errors"):
        raise SystemExit(f"{query.split('(')[0]}: {answer['errors']}")
    return answer["data"]


def verified(secret: str, body: bytes, header: str) -> bool:
    """The webhook signature check (OMS-Signature: t=<unix seconds>,v1=<hex>)."""
    parts = dict(part.split("=", 1) for part in header.split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256)
    fresh = abs(time.time() - int(parts["t"])) <= 300
    return fresh and hmac.compare_digest(expected.hexdigest(), parts["v1"])


async def follow(tracking_token: str, after: str | None, count: int) -> list[dict[str, Any]]:
    """``count`` updates of one order, as its customer sees them (no credentials needed)."""
    subscription = """subscription($token: String, $after: String) {
      orderUpdated(trackingToken: $token, after: $after) {
        order { status } event { type cursor } } }"""
    ws_url = URL.replace("http", "ws", 1)
    async with connect(ws_url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        variables = {"token": tracking_token, "after": after}
        payload = {"query": subscription, "variables": variables}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        updates = []
        while len(updates) < count:
            message = json.loads(await asyncio.wait_for(ws.recv(), 10))
            updates.append(message["payload"]["data"]["orderUpdated"])
        return updates


def main() -> None:
    # 1. Staff create a partner key with the scopes it needs (shown once, kept hashed).
    login = """mutation { login(input: {email: "admin@example.com",
      password: "admin-password"}) { token } }"""
    staff = graphql(login)["login"]["token"]
    created = graphql(
        'mutation { createApiKey(input: {name: "marketplace", scopes: '
        "[ORDERS_READ, ORDERS_WRITE, CATALOG_READ, EVENTS_READ, INVENTORY_WRITE]}) { secret } }",
        token=staff,
    )
    key = created["createApiKey"]["secret"]
    print("1. API key created")

    # 2. Global IDs and cursor pagination: the first two SKUs, then the next two.
    page = """query($after: String) { skus(first: 2, after: $after, active: true) {
      nodes { id code } pageInfo { endCursor hasNextPage } } }"""
    first = graphql(page, token=key)["skus"]
    second = graphql(page, {"after": first["pageInfo"]["endCursor"]}, token=key)["skus"]
    codes = [sku["code"] for sku in first["nodes"] + second["nodes"]]
    assert len(set(codes)) == 4
    print(f"2. SKUs page by page: {codes}")

    # 3. Idempotent order intake: the same key twice places one order.
    place = """mutation($input: PlaceOrderInput!) { placeOrder(input: $input) {
      order { id number status } trackingToken replayed userErrors { code message } } }"""
    order_input = {
        "channel": "web",
        "customer": {"email": "partner-guide@example.com", "name": "Guide Reader"},
        "lines": [{"sku": codes[0], "quantity": 1}],
        "shippingAddress": {"name": "Guide Reader", "line1": "Unter den Linden 1",
                            "city": "Berlin", "postalCode": "10117", "country": "DE"},
        "payment": {"token": "tok_visa"},
        "idempotencyKey": str(uuid.uuid4()),
    }  # fmt: skip
    placed = graphql(place, {"input": order_input}, token=key)["placeOrder"]
    again = graphql(place, {"input": order_input}, token=key)["placeOrder"]
    assert placed["userErrors"] == [] and again["replayed"]
    assert again["order"]["id"] == placed["order"]["id"]
    print(f"3. placed {placed['order']['number']} once, though sent twice")

    # 4. The error model: domain failures are userErrors with a code; nothing is written.
    short = {
        **order_input,
        "lines": [{"sku": codes[0], "quantity": 10_000}],
        "idempotencyKey": None,
    }
    refused = graphql(place, {"input": short}, token=key)["placeOrder"]
    print(f"4. refused: {refused['userErrors'][0]['code']}")

    # 5. Follow the order live, disconnect, miss a change, resume with the cursor.
    hold = """mutation($id: ID!) { holdOrder(input: {orderId: $id, reason: "address check"})
      { userErrors { code } } }"""
    release = (
        "mutation($id: ID!) { releaseOrderHold(input: {orderId: $id}) { userErrors { code } } }"
    )
    customer = placed["trackingToken"]

    async def live() -> None:
        watching = asyncio.create_task(follow(customer, None, 1))  # from now on
        await asyncio.sleep(0.5)
        graphql(hold, {"id": placed["order"]["id"]}, token=staff)
        [held] = await watching
        graphql(release, {"id": placed["order"]["id"]}, token=staff)  # missed while away
        [resumed] = await follow(customer, held["event"]["cursor"], 1)
        print(f"5. live: {held['event']['type']}; after resuming: {resumed['event']['type']}")

    asyncio.run(live())

    # 6. Query cost: every answer says what it cost and what is left.
    answer = httpx.post(URL, json={"query": "{ orders(first: 5) { nodes { number } } }"},
                        headers={"authorization": f"Bearer {key}"}).json()  # fmt: skip
    cost = answer["extensions"]["cost"]
    print(f"6. cost {cost['requested']}, {cost['throttleStatus']['currentlyAvailable']} left")

    # 7. Webhook signatures: check one the way a receiver would.
    body, secret = b'{"deliveryId":"1"}', "a-secret-of-at-least-16"
    moment = int(time.time())
    digest = hmac.new(secret.encode(), f"{moment}.".encode() + body, hashlib.sha256).hexdigest()
    assert verified(secret, body, f"t={moment},v1={digest}")
    assert not verified(secret, body + b" ", f"t={moment},v1={digest}")
    print("7. webhook signature recipe checks out")

    # 8. Bulk: a stock count uploaded as CSV (checked first with dryRun), and the orders of a
    #    range streamed as JSON Lines.
    count = f"location,sku,on_hand\nBER-WH,{codes[0]},25\nBER-WH,{codes[1]},30\n".encode()
    upload = """mutation($file: Upload!, $dryRun: Boolean!) {
      importInventoryLevels(file: $file, dryRun: $dryRun) {
        result { rows created updated unchanged } userErrors { field message } } }"""
    for dry_run in (True, False):
        operations = {"query": upload, "variables": {"file": None, "dryRun": dry_run}}
        imported = httpx.post(
            URL,
            data={"operations": json.dumps(operations), "map": '{"0": ["variables.file"]}'},
            files={"0": ("count.csv", count, "text/csv")},
            headers={"authorization": f"Bearer {key}"},
        ).json()["data"]["importInventoryLevels"]
        assert not imported["userErrors"], imported["userErrors"]
    exported = 0
    with httpx.stream(
        "GET", URL.replace("/graphql", "/exports/orders.jsonl"),
        params={"from": "2000-01-01", "to": "2100-01-01"},
        headers={"authorization": f"Bearer {key}"},
    ) as response:  # fmt: skip
        for line in response.iter_lines():
            exported += bool(json.loads(line)["lines"])
    print(f"8. imported a count of {imported['result']['rows']} levels; exported {exported} orders")


if __name__ == "__main__":
    main()
