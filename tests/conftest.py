"""Databases for the tests: every database-backed test runs on SQLite and on PostgreSQL.

Each run creates its own PostgreSQL database and drops it at the end. Under CI=true a missing
PostgreSQL fails the run instead of skipping its tests.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import sqlite3
import subprocess
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy import event

from api.cli import migrate_database
from api.db import Database
from api.models import metadata
from api.settings import Settings
from tests import postgres
from tests.factories import TEST_SECRET
from tests.servers import OMS
from tests.webhooks import Receiver, serve_receiver

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str | None]:
    try:
        url, cluster = postgres.server_url()
    except postgres.PostgresUnavailable as error:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL is required under CI: {error}", pytrace=False)
        yield None
        return
    yield url
    if cluster is not None:
        cluster.stop()


@pytest.fixture(scope="session")
def postgres_url(postgres_server: str | None) -> Iterator[str]:
    """A migrated database of this run's own."""
    if postgres_server is None:
        pytest.skip("no PostgreSQL server and no binaries to start one (outside CI)")
    url = postgres.create_database(postgres_server)
    migrate_database(url)
    yield url
    postgres.drop_database(postgres_server, url)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    migrate_database(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def demo_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database with the demo data (`oms seed`), made once a run: the served tests that
    start from the demo data copy it (``demo_database``) rather than seed anew (~20 s each)."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    shutil.copyfile(sqlite_template, path)
    environment = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{path}"}
    subprocess.run([OMS, "seed"], env=environment, check=True, capture_output=True)
    with sqlite3.connect(path) as connection:  # everything in the file itself, none in its WAL
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def demo_database(template: Path, folder: Path) -> str:
    """A fresh copy of the demo data in ``folder``: its database URL."""
    path = folder / "oms.db"
    shutil.copyfile(template, path)
    return f"sqlite+aiosqlite:///{path}"


def _empty_all() -> str:
    """Every row deleted and every sequence restarted, in one round trip. DELETE rather than
    TRUNCATE: a test leaves a few rows in a few tables, and TRUNCATE gives each of the ~45
    tables new files (370 ms a test, against about 15)."""
    cycles = [
        f'UPDATE "{table.name}" SET "{key.parent.name}" = NULL WHERE "{key.parent.name}" IS NOT NULL'
        for table in metadata.sorted_tables
        for key in table.foreign_keys
        if key.constraint is not None and key.constraint.use_alter
    ]
    deletes = [f'DELETE FROM "{table.name}"' for table in reversed(metadata.sorted_tables)]
    restart = (
        "SELECT setval(oid, 1, false) FROM pg_class "
        "WHERE relkind = 'S' AND relnamespace = 'public'::regnamespace"
    )
    return ";\n".join([*cycles, *deletes, restart])


async def empty_database(database: Database) -> None:
    """Every table emptied and every id sequence restarted."""
    if database.is_sqlite:
        async with database.engine.begin() as connection:
            for table in reversed(metadata.sorted_tables):
                await connection.execute(table.delete())
        return
    # A served API's background work (projections, the outbox, the sender) may hold a lock on
    # one row while it waits for another this transaction holds: PostgreSQL ends one of the
    # two. When it is this one, it is simply run again.
    for attempt in range(5):
        try:
            async with database.engine.connect() as connection:
                raw = await connection.get_raw_connection()
                await raw.driver_connection.execute(_empty_all())  # type: ignore[union-attr]
            return
        except asyncpg.exceptions.DeadlockDetectedError:
            if attempt == 4:
                raise
            await asyncio.sleep(0.1)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "oms.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite+aiosqlite:///{path}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def settings(database_url: str) -> Settings:
    # The tests' webhook receivers listen on this machine.
    return Settings(
        database_url=database_url,
        secret_key=TEST_SECRET,
        db_pool_size=30,
        webhook_allow_private_targets=True,
    )


@pytest.fixture
async def database(settings: Settings) -> AsyncIterator[Database]:
    db = Database.from_settings(settings)
    if not db.is_sqlite:  # a SQLite test starts from its own fresh copy
        await empty_database(db)
    yield db
    await db.dispose()


@pytest.fixture
def pg_database_url(postgres_url: str) -> str:
    return postgres_url


@pytest.fixture
async def pg_database(pg_database_url: str) -> AsyncIterator[Database]:
    """PostgreSQL only: for claims about real parallel connections."""
    db = Database(pg_database_url, pool_size=30)
    await empty_database(db)
    yield db
    await db.dispose()


class StatementCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_statements(database: Database) -> Iterator[StatementCounter]:
    counter = StatementCounter()
    event.listen(database.engine.sync_engine, "before_cursor_execute", counter)
    yield counter
    event.remove(database.engine.sync_engine, "before_cursor_execute", counter)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """One line per database backend, so a run shows that both suites ran."""
    counts: dict[str, Counter[str]] = {backend: Counter() for backend in BACKENDS}
    for outcome in ("passed", "failed", "error", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            if getattr(report, "when", "call") not in ("call", "setup") or (
                outcome == "passed" and report.when != "call"
            ):
                continue
            for backend in BACKENDS:
                if re.search(rf"[\[-]{backend}[\]-]", report.nodeid) or backend in report.keywords:
                    counts[backend][outcome] += 1
                    break
    terminalreporter.section("database backends")
    for backend, counter in counts.items():
        summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counter.items())) or "none"
        terminalreporter.write_line(f"{backend}: {summary}")


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    """A partner's webhook endpoint: a real HTTP server on a free port."""
    async for serving in serve_receiver():
        yield serving
