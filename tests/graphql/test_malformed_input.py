"""Whatever arrives from outside, malformed input is answered with a 4xx, never a 500:
digits that are not ASCII, numbers of thousands of digits, signatures that are not hex."""

from __future__ import annotations

import base64
import json
import time

import httpx
import pytest

from api.auth import Role
from api.db import Database
from tests.factories import staff_token

HUGE = "9" * 5000
FIRST = "query($n: Int) { skus(first: $n) { nodes { code } } }"


@pytest.mark.parametrize(
    "path",
    [
        f"/labels/1.pdf?expires={HUGE}&signature=ab",
        "/labels/1.pdf?expires=99999999999&signature=%C3%A9%C3%A9",
        "/labels/1.pdf?expires=%C2%B2&signature=ab",
        "/labels/%C2%B2.pdf?expires=1&signature=ab",
        f"/labels/returns/{HUGE}.pdf?expires=1&signature=ab",
        "/labels/returns/1.pdf?expires=%D9%A1%D9%A2%D9%A3&signature=ab",
    ],
)
async def test_label_links_that_are_malformed_are_refused(
    http: httpx.AsyncClient, path: str
) -> None:
    assert (await http.get(path)).status_code in (403, 404)


@pytest.mark.parametrize(
    ("timestamp", "signature"),
    [
        (HUGE.encode(), b"sha256=00"),
        ("²".encode(), b"sha256=00"),
        ("١٢٣".encode(), b"sha256=00"),
        (b"-5", b"sha256=00"),
        (None, "sha256=é".encode()),
        (None, b"\xff\xfe"),
    ],
)
async def test_carrier_reports_with_malformed_headers_are_refused(
    http: httpx.AsyncClient, timestamp: bytes | None, signature: bytes
) -> None:
    stamp = timestamp if timestamp is not None else str(int(time.time())).encode()
    answer = await http.post(
        "/carriers/swiftpost/events",
        content=b"{}",
        headers=[(b"x-oms-timestamp", stamp), (b"x-oms-signature", signature)],
    )
    assert answer.status_code == 401


async def test_numbers_of_thousands_of_digits_are_bad_requests(http: httpx.AsyncClient) -> None:
    body = f'{{"query": "{FIRST}", "variables": {{"n": {HUGE}}}}}'
    posted = await http.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert posted.status_code == 400
    variables = json.dumps({"n": 1}).replace("1", HUGE)
    got = await http.get("/graphql", params={"query": FIRST, "variables": variables})
    assert got.status_code == 400
    literal = await http.post("/graphql", json={"query": FIRST.replace("$n", HUGE)})
    assert literal.status_code in (200, 400) and "errors" in literal.json()


@pytest.mark.parametrize(
    "query",
    [f"first={HUGE}", "first=%C2%B2", "coverDays=%D9%A1", f"salesDays={HUGE}"],
)
async def test_report_parameters_that_are_not_numbers_are_bad_requests(
    http: httpx.AsyncClient, database: Database, query: str
) -> None:
    token = await staff_token(database, Role.ADMIN)
    answer = await http.get(
        f"/reports/low-stock.csv?{query}", headers={"authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 400


async def test_cursors_and_ids_with_odd_digits_are_client_errors(
    http: httpx.AsyncClient, database: Database
) -> None:
    token = await staff_token(database, Role.ADMIN)
    odd = base64.urlsafe_b64encode("cursor:²".encode()).decode()
    answer = await http.post(
        "/graphql",
        json={"query": f'{{ orders(first: 1, after: "{odd}") {{ totalCount }} }}'},
        headers={"authorization": f"Bearer {token}"},
    )
    body = answer.json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body
    number = await http.post(
        "/graphql",
        json={"query": '{ order(number: "SO-²") { id } }'},
        headers={"authorization": f"Bearer {token}"},
    )
    assert number.json()["data"] == {"order": None}
