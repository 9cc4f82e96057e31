"""Batch loads and keyset pagination, without GraphQL."""

from __future__ import annotations

import asyncio
import logging

import pytest
from pythonjsonlogger.json import JsonFormatter
from sqlalchemy import event, select, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import col

from api.catalog.models import Sku
from api.catalog.queries import skus_by_code, skus_by_id, skus_by_product_id
from api.db import Database
from api.locations.queries import bins_by_location_id
from api.locations.service import create_bin
from api.logs import HideDatabaseValues, database_error_summary
from api.reads import PageRequest, RequestReads, count, paginate
from tests.factories import make_location, make_product


async def test_batch_loads_answer_in_key_order_with_gaps(database: Database) -> None:
    first = await make_product(database, "A-1", "A-2")
    second = await make_product(database, "B-1")
    async with database.reader() as reader:
        by_code = await skus_by_code(reader, ["B-1", "NOPE", "A-1"])
        assert [sku.code if sku else None for sku in by_code] == ["B-1", None, "A-1"]
        by_id = await skus_by_id(reader, [3, 1, 999, 1])
        assert [sku.code if sku else None for sku in by_id] == ["B-1", "A-1", None, "A-1"]
        groups = await skus_by_product_id(reader, [second.id, 999, first.id])  # type: ignore[list-item]
        assert [[sku.code for sku in group] for group in groups] == [["B-1"], [], ["A-1", "A-2"]]


async def test_bins_come_in_walking_order(database: Database) -> None:
    location = await make_location(database, "BER")
    for code, aisle, bay in (("C", 2, 1), ("A", 1, 1), ("B", 1, 2), ("D", 2, 2)):
        async with database.unit_of_work("test") as uow:
            await create_bin(uow, location_id=location.id, code=code, aisle=aisle, bay=bay)  # type: ignore[arg-type]
    async with database.reader() as reader:
        (bins,) = await bins_by_location_id(reader, [location.id])  # type: ignore[list-item]
    # aisle 1 walked up the bays, aisle 2 walked back down
    assert [bin_.code for bin_ in bins] == ["A", "B", "D", "C"]


async def test_keyset_pages_forward_and_backward(database: Database) -> None:
    await make_product(database, *(f"S-{n}" for n in range(7)))
    statement = select(Sku)
    key = col(Sku.id)
    async with database.reader() as reader:
        first = await paginate(reader, statement, key, PageRequest(first=3))
        assert ([row.id for row in first.rows], first.has_next_page, first.has_previous_page) == (
            [1, 2, 3],
            True,
            False,
        )
        second = await paginate(reader, statement, key, PageRequest(first=3, after=3))
        assert (
            [row.id for row in second.rows],
            second.has_next_page,
            second.has_previous_page,
        ) == ([4, 5, 6], True, True)
        last = await paginate(reader, statement, key, PageRequest(first=3, after=6))
        assert ([row.id for row in last.rows], last.has_next_page) == ([7], False)
        backward = await paginate(reader, statement, key, PageRequest(last=2, before=4))
        assert (
            [row.id for row in backward.rows],
            backward.has_previous_page,
            backward.has_next_page,
        ) == ([2, 3], True, True)
        start = await paginate(reader, statement, key, PageRequest(last=5, before=4))
        assert ([row.id for row in start.rows], start.has_previous_page) == ([1, 2, 3], False)
        assert await count(reader, statement.where(col(Sku.code).like("S-%"))) == 7


async def test_keyset_pages_in_descending_order(database: Database) -> None:
    await make_product(database, *(f"S-{n}" for n in range(5)))
    statement, key = select(Sku), col(Sku.id)
    async with database.reader() as reader:
        first = await paginate(reader, statement, key, PageRequest(first=2), descending=True)
        assert ([row.id for row in first.rows], first.has_next_page) == ([5, 4], True)
        second = await paginate(
            reader, statement, key, PageRequest(first=2, after=4), descending=True
        )
        assert [row.id for row in second.rows] == [3, 2]
        back = await paginate(
            reader, statement, key, PageRequest(last=2, before=2), descending=True
        )
        assert [row.id for row in back.rows] == [4, 3]


async def test_a_requests_concurrent_reads_share_one_connection_in_turn(database: Database) -> None:
    await make_product(database, "A-1", "A-2")
    checked_out: list[int] = []
    in_use = 0

    def checkout(*_: object) -> None:
        nonlocal in_use
        in_use += 1
        checked_out.append(in_use)

    def checkin(*_: object) -> None:
        nonlocal in_use
        in_use -= 1

    pool = database.engine.sync_engine.pool
    event.listen(pool, "checkout", checkout)
    event.listen(pool, "checkin", checkin)
    reads = RequestReads(database)

    async def batch(keys: list[int]) -> list[str | None]:
        async with reads.reader() as reader:
            return [sku.code if sku else None for sku in await skus_by_id(reader, keys)]

    answers = await asyncio.gather(batch([1]), batch([2]), batch([1, 2]), batch([3]))
    assert answers == [["A-1"], ["A-2"], ["A-1", "A-2"], [None]]
    assert checked_out == [1], "four waiting batches, one connection handed from one to the next"
    assert in_use == 0, "back in the pool once no batch waits"

    await batch([2])
    assert checked_out == [1, 1] and in_use == 0


async def test_a_failed_read_gives_the_connection_back(database: Database) -> None:
    reads = RequestReads(database)
    with pytest.raises(DBAPIError):
        async with reads.reader() as reader:
            await reader.execute(text("SELECT * FROM no_such_table"))
    async with reads.reader() as reader:
        assert (await reader.execute(select(1))).scalar() == 1
    assert database.engine.sync_engine.pool.checkedout() == 0  # type: ignore[attr-defined]


async def test_a_failed_statement_is_logged_without_the_values_it_carried(
    database: Database,
) -> None:
    insert = text(
        "INSERT INTO rate_limit_bucket (principal, level, allowed, updated_at) "
        "VALUES (:who, 0, true, CURRENT_TIMESTAMP)"
    )
    secret = "-".join(["s3cr3t", "value"])  # not in the source lines a traceback shows
    async with database.reader() as reader:
        await reader.execute(insert, {"who": secret})
    with pytest.raises(DBAPIError) as failed:
        async with database.reader() as reader:
            await reader.execute(insert, {"who": secret})
    assert "s3cr3t-value" not in str(failed.value).split("[SQL")[1], "parameters hidden"
    summary = database_error_summary(failed.value)
    assert "s3cr3t-value" not in summary, "nor the driver's detail, which quotes them"
    assert summary.startswith("IntegrityError") and "INSERT INTO rate_limit_bucket" in summary
    record = logging.LogRecord("oms", logging.ERROR, __file__, 1, "failed", None, (
        type(failed.value), failed.value, failed.value.__traceback__))  # fmt: skip
    HideDatabaseValues().filter(record)
    for formatter in (logging.Formatter(), JsonFormatter()):
        written = formatter.format(record)
        assert "s3cr3t-value" not in written and "rate_limit_bucket" in written
