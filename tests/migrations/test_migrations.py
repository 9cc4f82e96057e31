"""Migrations: upgrade to head matches the models exactly; downgrade to base removes everything."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect, text
from sqlalchemy.ext.asyncio import create_async_engine

from api.models import metadata
from api.settings import PROJECT_ROOT
from tests import postgres


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
        return
    server = request.getfixturevalue("postgres_server")
    if server is None:
        pytest.skip("no PostgreSQL server (outside CI)")
    url = postgres.create_database(server, prefix="oms_migrations")
    yield url
    postgres.drop_database(server, url)


def alembic_config(url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["database_url"] = url
    config.attributes["configure_logger"] = False
    return config


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(
        connection,
        opts={
            "compare_type": True,
            "compare_server_default": True,
            "render_as_batch": connection.dialect.name == "sqlite",
        },
    )
    return list(compare_metadata(context, metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def _inspect(url: str) -> tuple[list[object], set[str]]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_differences), await connection.run_sync(_tables)
    finally:
        await engine.dispose()


def test_upgrade_has_no_drift_and_downgrade_removes_everything(empty_database: str) -> None:
    config = alembic_config(empty_database)
    command.upgrade(config, "head")
    differences, tables = asyncio.run(_inspect(empty_database))
    assert differences == []
    assert {table.name for table in metadata.sorted_tables} <= tables
    command.downgrade(config, "base")
    _, tables = asyncio.run(_inspect(empty_database))
    assert tables <= {"alembic_version"}
    command.upgrade(config, "head")


async def _run(url: str, *statements: str) -> list[tuple[object, ...]]:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            rows: list[tuple[object, ...]] = []
            for statement in statements:
                result = await connection.execute(text(statement))
                rows = [tuple(row) for row in result.all()] if result.returns_rows else rows
            return rows
    finally:
        await engine.dispose()


def test_events_written_before_get_the_order_they_concern(empty_database: str) -> None:
    config = alembic_config(empty_database)
    command.upgrade(config, "b7e2d4c91a3f")
    columns = "(occurred_at, type, aggregate_type, aggregate_id, actor, payload)"
    asyncio.run(_run(
        empty_database,
        f"INSERT INTO event {columns} VALUES ('2026-11-01', 'ORDER_PLACED', 'order', 7, 'x', '{{}}')",
        f"INSERT INTO event {columns} VALUES ('2026-11-01', 'SHIPMENT_SHIPPED', 'shipment', 3, "
        """'x', '{"orderId": 7}')""",
        f"INSERT INTO event {columns} VALUES ('2026-11-01', 'SKU_UPDATED', 'sku', 5, 'x', "
        """'{"orderId": "not a number"}')""",
    ))  # fmt: skip
    command.upgrade(config, "head")
    rows = asyncio.run(
        _run(empty_database, "SELECT aggregate_type, order_id FROM event ORDER BY id")
    )
    assert rows == [("order", 7), ("shipment", 7), ("sku", None)]
