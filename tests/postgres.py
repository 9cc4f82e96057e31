"""Finds a PostgreSQL server for the tests, or starts a throwaway cluster when only binaries exist."""

from __future__ import annotations

import asyncio
import glob
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass

import asyncpg

from tests.servers import free_port

DEFAULT_SERVER_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


class PostgresUnavailable(RuntimeError):
    pass


def _plain_url(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def _with_database(url: str, database: str) -> str:
    base, _, _ = _plain_url(url).rpartition("/")
    return f"{base}/{database}"


async def _can_connect(url: str) -> bool:
    try:
        connection = await asyncpg.connect(_plain_url(url), timeout=3)
    except (TimeoutError, OSError, asyncpg.PostgresError):
        return False
    await connection.close()
    return True


def _initdb() -> str | None:
    found = shutil.which("initdb") or next(
        iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)), None
    )
    return found


@dataclass
class ThrowawayCluster:
    directory: str
    bindir: str
    run_as: list[str]

    def stop(self) -> None:
        subprocess.run(
            [
                *self.run_as,
                f"{self.bindir}/pg_ctl",
                "-D",
                f"{self.directory}/data",
                "-m",
                "immediate",
                "stop",
            ],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(self.directory, ignore_errors=True)


def start_throwaway_cluster() -> tuple[str, ThrowawayCluster]:
    initdb = _initdb()
    if initdb is None:
        raise PostgresUnavailable("no PostgreSQL server answers and no initdb is installed")
    bindir = os.path.dirname(initdb)
    directory = tempfile.mkdtemp(prefix="oms-pg-")
    run_as: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        shutil.chown(directory, "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    subprocess.run(
        [*run_as, initdb, "-D", f"{directory}/data", "-A", "trust", "-U", "postgres"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *run_as,
            f"{bindir}/pg_ctl",
            "-D",
            f"{directory}/data",
            "-w",
            "-l",
            f"{directory}/log",
            "-o",
            f"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    return f"postgresql://postgres@127.0.0.1:{port}/postgres", ThrowawayCluster(
        directory, bindir, run_as
    )


def server_url() -> tuple[str, ThrowawayCluster | None]:
    """A URL of a reachable server (the configured one, the local one, or a throwaway cluster)."""
    configured = os.environ.get("OMS_TEST_DATABASE_URL")
    url = configured or DEFAULT_SERVER_URL
    if asyncio.run(_can_connect(url)):
        return url, None
    if configured:
        raise PostgresUnavailable(f"OMS_TEST_DATABASE_URL={configured} does not answer")
    started_url, cluster = start_throwaway_cluster()
    deadline = time.monotonic() + 20
    while not asyncio.run(_can_connect(started_url)):
        if time.monotonic() > deadline:
            cluster.stop()
            raise PostgresUnavailable("the throwaway PostgreSQL cluster did not start")
        time.sleep(0.2)
    return started_url, cluster


async def _admin(url: str, statement: str) -> None:
    connection = await asyncpg.connect(_plain_url(url))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def create_database(url: str, prefix: str = "oms_test") -> str:
    """Creates a fresh database on the server; returns its asyncpg SQLAlchemy URL."""
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(url, f'CREATE DATABASE "{name}"'))
    return _with_database(url, name).replace("postgresql://", "postgresql+asyncpg://", 1)


def drop_database(url: str, database_url: str) -> None:
    name = database_url.rpartition("/")[2]
    asyncio.run(_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
