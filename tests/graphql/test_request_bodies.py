"""Every body is bounded before it is read, on every endpoint; only an authenticated upload
may be larger than OMS_MAX_REQUEST_BYTES."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator

import httpx

from api.fulfilment.endpoints import MAX_REPORT_BYTES, report_signature
from api.settings import Settings

read: list[int] = []


async def chunks(total: int, size: int = 64_000) -> AsyncIterator[bytes]:
    """A body never declared: ``read`` counts what the server asked for."""
    sent = 0
    while sent < total:
        read.append(size)
        sent += size
        yield b"x" * size


async def test_a_carrier_report_is_bounded_before_it_is_read(
    http: httpx.AsyncClient, settings: Settings
) -> None:
    stamp = str(int(time.time()))
    big = b" " * (MAX_REPORT_BYTES + 1)
    declared = await http.post(
        "/carriers/swiftpost/events",
        content=big,
        headers={
            "x-oms-timestamp": stamp,
            "x-oms-signature": report_signature(settings.carrier_webhook_secret, stamp, big),
        },
    )
    assert declared.status_code == 413
    read.clear()
    streamed = await http.post(
        "/carriers/swiftpost/events",
        content=chunks(20_000_000),
        headers={"x-oms-timestamp": stamp, "x-oms-signature": "sha256=00"},
    )
    assert streamed.status_code == 413
    assert sum(read) < 200_000, "the server stopped reading at the report's limit"


async def test_an_unsigned_report_is_refused_before_its_body_is_read(
    http: httpx.AsyncClient,
) -> None:
    read.clear()
    refused = await http.post("/carriers/swiftpost/events", content=chunks(5_000_000))
    assert refused.status_code == 401
    assert sum(read) <= 64_000


async def test_an_authorization_header_alone_does_not_raise_the_limit(
    http: httpx.AsyncClient,
) -> None:
    operations = {"query": "mutation($file: Upload!) { importSkus(file: $file) { userErrors "
                  "{ code } } }", "variables": {"file": None}}  # fmt: skip
    forged = await http.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})},
        files={"0": ("skus.csv", b"x" * 5_000_000, "text/csv")},
        headers={"authorization": "Bearer not-a-credential"},
    )
    assert forged.status_code == 415
    read.clear()
    streamed = await http.post(
        "/graphql",
        content=chunks(5_000_000),
        headers={"authorization": "Bearer oms_abc_forged", "content-type": "multipart/form-data"},
    )
    assert streamed.status_code == 415
    assert sum(read) <= 64_000
