"""Bulk imports: a CSV file applied in batches, each batch whole or not at all."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

from api.bulk import level_import, sku_import
from api.bulk.csvfiles import CsvFile, CsvRow
from api.bulk.sku_import import ImportSummary
from api.db import Database, UnitOfWork
from api.errors import RowsRejected


class ImportKind(StrEnum):
    SKUS = "skus"
    INVENTORY_LEVELS = "inventory-levels"


@dataclass(frozen=True)
class Importer:
    read: Callable[..., CsvFile]
    write: Callable[[UnitOfWork, list[CsvRow]], Awaitable[ImportSummary]]


IMPORTERS = {
    ImportKind.SKUS: Importer(sku_import.read_file, sku_import.import_skus),
    ImportKind.INVENTORY_LEVELS: Importer(level_import.read_file, level_import.import_levels),
}


@dataclass(frozen=True)
class BatchOutcome:
    first_line: int
    last_line: int
    summary: ImportSummary | None
    rejected: RowsRejected | None


def read_import(kind: ImportKind, data: bytes, *, max_rows: int) -> CsvFile:
    """The file's rows; raises InvalidInput when the file itself is unusable."""
    return IMPORTERS[kind].read(data, max_rows=max_rows)


async def import_batch(
    database: Database, actor: str, kind: ImportKind, rows: list[CsvRow], *, dry_run: bool = False
) -> ImportSummary:
    """Applies ``rows`` in one transaction, or, with ``dry_run``, reports what it would do and
    writes nothing. Raises RowsRejected when any row is at fault."""
    async with database.unit_of_work(actor) as uow:
        summary = await IMPORTERS[kind].write(uow, rows)
        if not dry_run:
            await uow.commit()
    return summary


async def import_in_batches(
    database: Database,
    actor: str,
    kind: ImportKind,
    parsed: CsvFile,
    *,
    batch_size: int,
    dry_run: bool = False,
) -> list[BatchOutcome]:
    """Each batch of ``batch_size`` rows applies whole or not at all; a rejected batch does not
    stop the ones after it."""
    outcomes = []
    for rows in parsed.batches(batch_size):
        lines = (rows[0].line, rows[-1].line)
        try:
            summary = await import_batch(database, actor, kind, rows, dry_run=dry_run)
        except RowsRejected as rejected:
            outcomes.append(BatchOutcome(*lines, None, rejected))
        else:
            outcomes.append(BatchOutcome(*lines, summary, None))
    return outcomes
