"""The server's logs as a collector reads them: JSON lines with the request id, no secrets."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import time
from pathlib import Path
from urllib.parse import unquote_plus, urlencode

import httpx

from api.cli import migrate_database
from api.logs import redacted
from tests.conftest import demo_database
from tests.servers import OMS, free_port, serving


def test_secret_query_values_are_redacted() -> None:
    assert redacted("/labels/7.pdf?expires=99&signature=abc123") == (
        "/labels/7.pdf?expires=99&signature=[redacted]"
    )
    assert redacted("/x?Token=t&api_key=k&page=2") == (
        "/x?Token=[redacted]&api_key=[redacted]&page=2"
    )
    assert redacted("/x?key=k&keyword=w") == "/x?key=[redacted]&keyword=[redacted]"


def test_tracking_tokens_in_a_get_requests_document_are_redacted() -> None:
    query = (
        'query($t: String!) { a: orderByTrackingToken(token: "tok-in-literal") { number } '
        "b: orderByTrackingToken(token: $t) { number } }"
    )
    variables = '{"t": "tok-in-variable", "trackingToken": "tok-named", "first": 3}'
    line = redacted("/graphql?" + urlencode({"query": query, "variables": variables}))
    assert "tok-" not in unquote_plus(line)
    assert "orderByTrackingToken" in unquote_plus(line) and '"first":3' in unquote_plus(line)
    assert redacted("/graphql?variables=%7Bnot-json-token") == "/graphql?variables=[redacted]"


def test_redaction_takes_linear_time_on_long_query_strings() -> None:
    """The regular expression it replaced took about 50 s on the longest of these."""
    started = time.perf_counter()
    for query in ("key" * 100_000, "&a" * 100_000, "query=" + "a: $" * 100_000):
        redacted(f"/graphql?{query}")
    assert time.perf_counter() - started < 2


def test_json_logs_carry_the_request_id_and_no_signature(tmp_path: os.PathLike[str]) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/oms.db"
    migrate_database(url)
    environment = {
        **os.environ,
        "DATABASE_URL": url,
        "OMS_LOG_FORMAT": "json",
        "OMS_ENV": "development",
    }
    port = free_port()
    server = subprocess.Popen(
        [OMS, "serve", "--port", str(port)], env=environment,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                httpx.get(f"{base}/health")
                break
            except httpx.TransportError:
                time.sleep(0.05)
        httpx.get(f"{base}/labels/1.pdf?expires=1&signature=s3cr3t",
                  headers={"x-request-id": "req-42"})  # fmt: skip
    finally:
        server.terminate()
        logs = server.communicate(timeout=30)[1]
    records = [json.loads(line) for line in logs.splitlines() if line.startswith("{")]
    assert records and len(records) == len(logs.splitlines()), logs
    [access] = [record for record in records if record.get("request_id") == "req-42"]
    assert access["logger"] == "uvicorn.access" and access["level"] == "INFO"
    assert "signature=[redacted]" in access["message"] and "s3cr3t" not in logs


PLACE = """mutation($input: PlaceOrderInput!) { placeOrder(input: $input) {
  order { id } trackingToken userErrors { code } } }"""


def test_a_whole_scenario_logs_no_secret(tmp_path: Path, demo_template: Path) -> None:
    """Logged in, keys made and used, an order placed and tracked by GET, links and carrier
    reports signed, an unexpected database error and a throttled login: the server's log,
    at DEBUG, holds none of the secrets that went by."""
    url = demo_database(demo_template, tmp_path)
    environment = {**os.environ, "DATABASE_URL": url, "OMS_ENV": "development",
                   "OMS_LOG_LEVEL": "DEBUG", "OMS_LOGIN_FAILURES_PER_ACCOUNT": "2"}  # fmt: skip
    log_path = tmp_path / "serve.log"
    secrets: list[str] = ["admin-password", "wrong-password-1"]
    with serving(environment, log_path) as graphql:

        def call(query: str, variables: dict | None = None, token: str | None = None) -> dict:
            headers = {"authorization": f"Bearer {token}"} if token else {}
            return httpx.post(graphql, json={"query": query, "variables": variables or {}},
                              headers=headers, timeout=30).json()  # fmt: skip

        login = 'mutation($p: String!) { login(input: {email: "admin@example.com", password: $p}) { token } }'
        token = call(login, {"p": "admin-password"})["data"]["login"]["token"]
        key = call('mutation { createApiKey(input: {name: "p", scopes: [ORDERS_READ, ORDERS_WRITE]}) { secret } }',
                   token=token)["data"]["createApiKey"]["secret"]  # fmt: skip
        secrets += [token, key]
        sku = call("{ skus(first: 1) { nodes { code } } }", token=token)["data"]["skus"]["nodes"][
            0
        ]["code"]
        placed = call(PLACE, {"input": {
            "channel": "web", "customer": {"email": "ada@example.com", "name": "Ada"},
            "lines": [{"sku": sku, "quantity": 1}],
            "shippingAddress": {"name": "Ada", "line1": "Am Neuen Markt 1", "city": "Potsdam",
                                "postalCode": "14467", "country": "DE"},
            "payment": {"token": "tok_visa"}}}, token=key)["data"]["placeOrder"]  # fmt: skip
        tracking = placed["trackingToken"]
        secrets.append(tracking)
        track = "query($t: String!) { orderByTrackingToken(token: $t) { status } }"
        httpx.get(graphql, params={"query": track, "variables": json.dumps({"t": tracking})})
        literal = f'{{ orderByTrackingToken(token: "{tracking}") {{ status }} }}'
        httpx.get(graphql, params={"query": literal})
        base = graphql.removesuffix("/graphql")
        httpx.get(f"{base}/labels/1.pdf?expires=99999999999&signature=label-signature-0123")
        httpx.post(f"{base}/carriers/x/events", content=b"{}",
                   headers={"x-oms-timestamp": str(int(time.time())),
                            "x-oms-signature": "sha256=carrier-signature-0123"})  # fmt: skip
        secrets += ["label-signature-0123", "carrier-signature-0123"]
        for attempt in range(3):  # the third is throttled
            call(login, {"p": f"wrong-password-{attempt}"})
        # A duplicate key the API does not expect: the driver's message would quote it.
        with sqlite3.connect(url.removeprefix("sqlite+aiosqlite:///")) as raw:
            raw.execute("CREATE UNIQUE INDEX ix_customer_name_once ON customer (name)")
        again = call(PLACE.replace("order { id }", "order { number }"), {"input": {
            "channel": "web", "customer": {"email": "grace@example.com", "name": "Ada"},
            "lines": [{"sku": sku, "quantity": 1}],
            "shippingAddress": {"name": "Ada", "line1": "x", "city": "Potsdam",
                                "postalCode": "14467", "country": "DE"},
            "payment": {"token": "tok_visa"}}}, token=key)  # fmt: skip
        assert again["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR", again
    logs = log_path.read_text()
    assert "IntegrityError" in logs, "the unexpected error was logged"
    assert "grace@example.com" not in logs, "without the values of its statement"
    leaked = [secret for secret in secrets if secret in logs]
    assert leaked == [], leaked
