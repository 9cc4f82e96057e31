"""GraphQL over HTTP: media types, status codes, methods, request ids, error masking."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import httpx
import pytest

from api.channels import queries as channel_queries
from tests.factories import GraphQLClient

VIEWER = "{ viewer { kind } }"


async def test_json_post_answers_in_the_requested_media_type(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/graphql", json={"query": VIEWER}, headers={"accept": "application/graphql-response+json"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/graphql-response+json; charset=utf-8"
    assert response.json()["data"] == {"viewer": None}


async def test_without_accept_the_answer_is_application_json(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", json={"query": VIEWER})
    assert response.headers["content-type"] == "application/json; charset=utf-8"


async def test_preferred_media_type_follows_quality(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/graphql",
        json={"query": VIEWER},
        headers={"accept": "application/json;q=0.9, application/graphql-response+json"},
    )
    assert response.headers["content-type"].startswith("application/graphql-response+json")


async def test_unacceptable_media_type_is_406(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", json={"query": VIEWER}, headers={"accept": "text/csv"})
    assert response.status_code == 406


async def test_unsupported_content_type_is_415(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/graphql",
        content=VIEWER,
        headers={"content-type": "text/plain", "accept": "application/json"},
    )
    assert response.status_code == 415


async def test_malformed_json_body_is_400(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/graphql", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert "errors" in response.json()


async def test_missing_query_is_400(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", json={"variables": {}})
    assert response.status_code == 400


async def test_get_runs_queries(http: httpx.AsyncClient) -> None:
    response = await http.get(
        "/graphql", params={"query": VIEWER}, headers={"accept": "application/json"}
    )
    assert response.status_code == 200
    assert response.json()["data"] == {"viewer": None}
    assert response.json()["extensions"]["cost"]["requested"] == 1


async def test_get_refuses_mutations_with_405_and_allow_header(http: httpx.AsyncClient) -> None:
    response = await http.get(
        "/graphql",
        params={"query": 'mutation { login(input: {email: "a@b.cd", password: "x"}) { token } }'},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


async def test_other_methods_are_405(http: httpx.AsyncClient) -> None:
    assert (await http.put("/graphql", json={"query": VIEWER})).status_code == 405


@pytest.mark.parametrize(
    ("document", "reason"),
    [("{ viewer { nope } }", "validation"), ("{ viewer ", "syntax")],
)
async def test_request_errors_are_400_with_graphql_response_json(
    http: httpx.AsyncClient, document: str, reason: str
) -> None:
    response = await http.post(
        "/graphql",
        json={"query": document},
        headers={"accept": "application/graphql-response+json"},
    )
    assert response.status_code == 400, reason
    body = response.json()
    assert "data" not in body and body["errors"]


async def test_request_errors_are_200_with_application_json(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/graphql", json={"query": "{ viewer { nope } }"}, headers={"accept": "application/json"}
    )
    assert response.status_code == 200
    assert response.json()["errors"]


async def test_variables_of_the_wrong_type_are_a_request_error(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/graphql",
        json={
            "query": "query($first: Int) { skus(first: $first) { totalCount } }",
            "variables": {"first": "ten"},
        },
        headers={"accept": "application/graphql-response+json"},
    )
    assert response.status_code == 400


async def test_graphiql_is_served_to_browsers(http: httpx.AsyncClient) -> None:
    response = await http.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_request_id_is_echoed_or_created(http: httpx.AsyncClient) -> None:
    given = await http.post("/graphql", json={"query": VIEWER}, headers={"x-request-id": "abc-123"})
    assert given.headers["x-request-id"] == "abc-123"
    created = await http.post("/graphql", json={"query": VIEWER})
    assert len(created.headers["x-request-id"]) == 32


async def test_unexpected_errors_are_masked_and_carry_the_request_id(
    admin: GraphQLClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(_session: object) -> None:
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr(channel_queries, "list_channels", broken)
    response = await admin.post("{ channels { code } }", headers={"x-request-id": "req-42"})
    assert response.status_code == 200
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-42"}
    assert "hunter2" not in response.text
    assert any("req-42" in record.getMessage() for record in caplog.records)


async def test_cors_allows_the_admin_app_origin(http: httpx.AsyncClient) -> None:
    response = await http.options(
        "/graphql",
        headers={
            "origin": "http://127.0.0.1:5173",
            "access-control-request-method": "POST",
            "access-control-request-headers": "authorization, content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "http://127.0.0.1:5173"


async def test_every_response_carries_the_security_headers(http: httpx.AsyncClient) -> None:
    for response in (
        await http.get("/health"),
        await http.post("/graphql", json={"query": "{ __typename }"}),
        await http.get("/graphql", headers={"accept": "text/html"}),
        await http.get("/labels/1.pdf"),
    ):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


async def test_health(http: httpx.AsyncClient) -> None:
    health = (await http.get("/health")).json()
    assert health == {"status": "ok", "pid": os.getpid(), "subscribers": 0}


async def test_too_deep_queries_are_refused_before_execution(admin: GraphQLClient) -> None:
    nested = "product { skus { " * 6 + "code" + " } }" * 6
    response = await admin.post(f"{{ skus(first: 1) {{ edges {{ node {{ {nested} }} }} }} }}")
    assert response.status_code == 400
    assert "depth" in response.json()["errors"][0]["message"]


async def test_too_many_aliases_are_refused_before_execution(admin: GraphQLClient) -> None:
    aliases = " ".join(f"a{n}: viewer {{ kind }}" for n in range(31))
    response = await admin.post(f"{{ {aliases} }}")
    assert response.status_code == 400
    assert "aliases" in response.json()["errors"][0]["message"]


async def test_oversized_bodies_are_413(http: httpx.AsyncClient) -> None:
    padding = "#" + "x" * 1_100_000 + "\n"
    response = await http.post("/graphql", json={"query": padding + VIEWER})
    assert response.status_code == 413


async def test_a_body_without_declared_length_is_cut_off_at_the_limit(
    http: httpx.AsyncClient,
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"query": "#'
        for _ in range(120):
            yield b"x" * 10_000  # 1.2 MB in all, never declared
        yield b'\\n{ viewer { kind } }"}'

    response = await http.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["message"] == "Request bodies are limited to 1048576 bytes"
