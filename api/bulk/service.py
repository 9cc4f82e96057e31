"""Bulk imports: a CSV file applied in batches, each batch whole or not at all."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from enum import StrEnum

from api.bulk import level_import, sku_import
from api.bulk.csvfiles import CsvFile, CsvRow
from api.bulk.sku_import import ImportSummary
from api.db import Database, UnitOfWork
from api.errors import RowsRejected
from api.idempotency import service as idempotency


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
    database: Database,
    actor: str,
    kind: ImportKind,
    rows: list[CsvRow],
    *,
    dry_run: bool = False,
    idempotency_key: str | None = None,
) -> ImportSummary:
    """Applies ``rows`` in one transaction, or, with ``dry_run``, reports what it would do and
    writes nothing. Raises RowsRejected when any row is at fault. The same rows again under
    the same key answer the first import's summary and apply nothing."""
    keyed = idempotency_key if not dry_run else None
    async with database.unit_of_work(actor) as uow:
        if keyed is not None:
            request = {"rows": [[row.line, row.cells] for row in rows]}
            claimed = await idempotency.claim(
                uow, key=keyed, operation=f"import:{kind.value}", request=request
            )
            if claimed.replay is not None:
                await uow.commit()
                return ImportSummary(**claimed.replay)
        summary = await IMPORTERS[kind].write(uow, rows)
        if not dry_run:
            if keyed is not None:
                await idempotency.remember(uow, key=keyed, response=asdict(summary))
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
