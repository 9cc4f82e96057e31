"""Servers for the subscription tests: `oms serve` on SQLite (one worker) and on PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.cli import migrate_database
from tests import postgres
from tests.servers import serving
from tests.subscriptions.shop import SERVER_ENVIRONMENT, Shop, open_shop


@pytest.fixture(scope="module")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('ws') / 'oms.db'}"
    migrate_database(url)
    return url


@pytest.fixture(scope="module")
def sqlite_shop(sqlite_url: str) -> Shop:
    return open_shop(sqlite_url)


@pytest.fixture(scope="module")
def sqlite_served(sqlite_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    environment = {**os.environ, **SERVER_ENVIRONMENT, "DATABASE_URL": sqlite_url}
    with serving(environment, tmp_path_factory.mktemp("ws") / "serve.log") as url:
        yield url


@pytest.fixture(scope="module")
def pg_url(postgres_server: str | None) -> Iterator[str]:
    if postgres_server is None:
        pytest.skip("no PostgreSQL server (outside CI)")
    url = postgres.create_database(postgres_server, prefix="oms_ws")
    migrate_database(url)
    yield url
    postgres.drop_database(postgres_server, url)


def pg_environment(pg_url: str) -> dict[str, str]:
    return {**os.environ, **SERVER_ENVIRONMENT, "DATABASE_URL": pg_url}


@pytest.fixture(scope="module")
def worker_a(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One server process: where changes are made."""
    with serving(pg_environment(pg_url), tmp_path_factory.mktemp("a") / "serve.log") as url:
        yield url


@pytest.fixture(scope="module")
def workers_b(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Another server, with two uvicorn workers: where subscribers listen."""
    log: Path = tmp_path_factory.mktemp("b") / "serve.log"
    with serving(pg_environment(pg_url), log, workers=2) as url:
        yield url


@pytest.fixture(scope="module")
def pg_shop(pg_url: str) -> Shop:
    return open_shop(pg_url)
