"""Generated GraphQL requests for every query and mutation of the published schema, sent over
HTTP to a served API on the demo data, as an admin, as a partner's narrow API key and as an
anonymous caller: none may answer 5xx or an internal error.

``make test`` sends a few examples per operation and caller (OMS_FUZZ_EXAMPLES, 4 by default, the same
ones every run); a longer run is in the README ("Fuzzing").
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from graphql import language
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from api.settings import PROJECT_ROOT
from tests.conftest import demo_database
from tests.servers import serving

EXAMPLES = int(os.environ.get("OMS_FUZZ_EXAMPLES", "4"))

schemathesis.graphql.scalar(
    "DateTime",
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))
    .map(lambda moment: language.StringValueNode(value=moment.isoformat())),
)  # fmt: skip
schemathesis.graphql.scalar(
    "JSON", st.text(max_size=20).map(lambda text: language.StringValueNode(value=text))
)
schemathesis.graphql.scalar("Upload", st.just(language.NullValueNode()))
schema = schemathesis.graphql.from_path(PROJECT_ROOT / "schema.graphql")


@pytest.fixture(scope="module")
def served(
    demo_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, dict[str, str]]]:
    """A served API on the demo data, and the credentials of each kind of caller: an admin
    (the widest reach), a partner's key with one scope, and nobody."""
    folder: Path = tmp_path_factory.mktemp("fuzz")
    url = demo_database(demo_template, folder)
    environment = {**os.environ, "DATABASE_URL": url, "OMS_LOG_LEVEL": "WARNING"}
    with serving(environment, folder / "serve.log") as graphql_url:
        login = httpx.post(graphql_url, json={"query": 'mutation { login(input: {email: '
            '"admin@example.com", password: "admin-password"}) { token } }'}).json()  # fmt: skip
        token = login["data"]["login"]["token"]
        key = httpx.post(
            graphql_url,
            json={"query": 'mutation { createApiKey(input: {name: "narrow", scopes: '
                  "[ORDERS_READ], pointsPerSecond: 100000}) { secret } }"},
            headers={"authorization": f"Bearer {token}"},
        ).json()["data"]["createApiKey"]["secret"]  # fmt: skip
        yield (
            graphql_url,
            {
                "staff": f"Bearer {token}",
                "narrow key": f"Bearer {key}",
            },
        )


@pytest.fixture(scope="module", params=["staff", "narrow key", "anonymous"])
def target(
    request: pytest.FixtureRequest, served: tuple[str, dict[str, str]]
) -> tuple[str, dict[str, str]]:
    url, credentials = served
    credential = credentials.get(request.param)
    return url, {"authorization": credential} if credential else {}


def internal_errors(body: Any) -> list[Any]:
    errors = body.get("errors") or [] if isinstance(body, dict) else []
    return [
        error
        for error in errors
        if (error.get("extensions") or {}).get("code") == "INTERNAL_SERVER_ERROR"
    ]


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_generated_request_breaks_the_api(
    case: schemathesis.Case, target: tuple[str, dict[str, str]]
) -> None:
    url, headers = target
    response = case.call(url=url, headers=headers)
    assert response.status_code < 500, (case.body, response.text)
    assert not internal_errors(response.json()), (case.body, response.text)
