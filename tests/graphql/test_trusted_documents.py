"""Registered documents: sent by hash, and, with the setting on, the only ones callers without
credentials may run."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import event

from api.app import create_app
from api.auth import Role
from api.db import Database
from api.settings import PROJECT_ROOT, Settings
from schema.trusted import TrustedDocuments, document_hash, manifest_of
from tests.conftest import StatementCounter
from tests.factories import GraphQLClient, staff_token

TRACK = """query Track($token: String!) {
  orderByTrackingToken(token: $token) { number status }
}
"""
UNREGISTERED = "query Skus { skus(first: 1) { nodes { code } } }"


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "track.graphql").write_text(TRACK)
    path = tmp_path / "trusted-documents.json"
    path.write_text(json.dumps(manifest_of([documents])))
    return path


async def client_for(settings: Settings, database: Database) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_app(settings, database))
    return httpx.AsyncClient(transport=transport, base_url="http://oms.test")


@pytest.fixture
async def trusting(
    settings: Settings, database: Database, manifest: Path
) -> AsyncIterator[httpx.AsyncClient]:
    update = {"trusted_documents": manifest, "trusted_documents_only": True}
    async with await client_for(settings.model_copy(update=update), database) as client:
        yield client


def by_hash(body: str, variables: dict[str, str]) -> dict[str, object]:
    return {
        "variables": variables,
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": document_hash(body)}},
    }


def test_a_manifest_registers_each_file_under_the_hash_of_its_text(manifest: Path) -> None:
    [operation] = json.loads(manifest.read_text())["operations"]
    assert (operation["name"], operation["type"]) == ("Track", "query")
    assert TrustedDocuments.load(manifest).trusts(TRACK)
    assert not TrustedDocuments.load(manifest).trusts(TRACK.strip())


def test_a_manifest_whose_ids_do_not_match_is_refused(manifest: Path) -> None:
    tampered = json.loads(manifest.read_text())
    tampered["operations"][0]["body"] = UNREGISTERED
    manifest.write_text(json.dumps(tampered))
    with pytest.raises(ValueError, match="is not its SHA-256"):
        TrustedDocuments.load(manifest)


async def test_a_registered_document_runs_by_its_hash(trusting: httpx.AsyncClient) -> None:
    answer = await trusting.post("/graphql", json=by_hash(TRACK, {"token": "no-such-token"}))
    assert answer.json()["data"] == {"orderByTrackingToken": None}
    unknown = await trusting.post("/graphql", json=by_hash("query { viewer { kind } }", {}))
    assert unknown.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


async def test_without_credentials_only_registered_text_runs(
    trusting: httpx.AsyncClient, database: Database
) -> None:
    counter = StatementCounter()
    event.listen(database.engine.sync_engine, "before_cursor_execute", counter)
    try:
        refused = await trusting.post("/graphql", json={"query": UNREGISTERED})
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", counter)
    assert refused.json()["errors"][0]["extensions"]["code"] == "TRUSTED_DOCUMENT_REQUIRED"
    assert counter.count == 0, "refused before anything ran"
    registered = await trusting.post(
        "/graphql", json={"query": TRACK, "variables": {"token": "no-such-token"}}
    )
    assert registered.json()["data"] == {"orderByTrackingToken": None}


async def test_staff_and_partners_may_send_any_document(
    trusting: httpx.AsyncClient, database: Database
) -> None:
    staff = GraphQLClient(trusting, await staff_token(database, Role.ADMIN))
    assert (await staff.data(UNREGISTERED)) == {"skus": {"nodes": []}}


async def test_with_the_setting_off_anyone_may_send_any_document(
    settings: Settings, database: Database, manifest: Path
) -> None:
    open_settings = settings.model_copy(update={"trusted_documents": manifest})
    async with await client_for(open_settings, database) as client:
        answer = await client.post("/graphql", json={"query": UNREGISTERED})
    assert answer.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_the_admin_app_signs_in_under_trusted_documents_with_its_registered_login(
    settings: Settings, database: Database, tmp_path: Path
) -> None:
    app_documents = PROJECT_ROOT / "admin-ui" / "src"
    manifest = tmp_path / "admin-ui.json"
    manifest.write_text(json.dumps(manifest_of([app_documents])))
    update = {"trusted_documents": manifest, "trusted_documents_only": True}
    login = (app_documents / "auth" / "Login.graphql").read_text(encoding="utf-8")
    variables = {"input": {"email": "nobody@example.com", "password": "wrong-password"}}
    async with await client_for(settings.model_copy(update=update), database) as client:
        answer = await client.post("/graphql", json={"query": login, "variables": variables})
    [error] = answer.json()["data"]["login"]["userErrors"]
    assert error["code"] == "INVALID_CREDENTIALS"
