"""The server's logs as a collector reads them: JSON lines with the request id, no secrets."""

from __future__ import annotations

import json
import os
import subprocess
import time
from urllib.parse import unquote_plus, urlencode

import httpx

from api.cli import migrate_database
from api.logs import redacted
from tests.servers import OMS, free_port


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
