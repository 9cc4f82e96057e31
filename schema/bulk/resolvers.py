"""Bulk imports through GraphQL: a CSV file uploaded with the GraphQL multipart request spec."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.file_uploads import Upload

from api.auth import Permission
from api.bulk.service import ImportKind, import_batch, read_import
from api.errors import InvalidInput
from schema import fields
from schema.context import Info
from schema.errors import UserError


@strawberry.type(description="What an import did, or with `dryRun`, would do.")
class ImportResult:
    rows: int
    created: int
    updated: int
    unchanged: int
    dry_run: bool


@strawberry.type
class ImportPayload:
    result: ImportResult | None = None
    user_errors: list[UserError] = strawberry.field(
        default_factory=list,
        description="When any row is at fault, nothing is imported: the first error says how "
        'many there are, then one per cell at fault, its field `["file", <line>, <column>]`.',
    )


async def _import(
    info: Info, kind: ImportKind, file: Upload, dry_run: bool, idempotency_key: str | None
) -> ImportPayload:
    settings = info.context.settings
    data = await file.read(settings.import_max_bytes + 1)  # type: ignore[attr-defined]
    if len(data) > settings.import_max_bytes:
        raise InvalidInput(
            f"the file is larger than {settings.import_max_bytes} bytes", field=["file"]
        )
    parsed = read_import(kind, data, max_rows=settings.import_max_rows)
    actor = info.context.principal.actor
    done = await import_batch(
        info.context.database,
        actor,
        kind,
        parsed.rows,
        dry_run=dry_run,
        idempotency_key=idempotency_key,
    )
    return ImportPayload(
        result=ImportResult(
            rows=done.rows,
            created=done.created,
            updated=done.updated,
            unchanged=done.unchanged,
            dry_run=dry_run,
        )
    )


@strawberry.type
class BulkMutations:
    @fields.mutation(
        Permission.CATALOG_WRITE,
        description="Create and update SKUs from a CSV file (columns in the README), all rows "
        "or none.",
    )
    async def import_skus(
        self,
        info: Info,
        file: Upload,
        dry_run: bool = False,
        idempotency_key: Annotated[str | None, fields.idempotency_key_argument("imports")] = None,
    ) -> ImportPayload:
        return await _import(info, ImportKind.SKUS, file, dry_run, idempotency_key)

    @fields.mutation(
        Permission.INVENTORY_WRITE,
        description="Set counted stock, safety stock and bins from a CSV file (columns in the "
        "README), all rows or none.",
    )
    async def import_inventory_levels(
        self,
        info: Info,
        file: Upload,
        dry_run: bool = False,
        idempotency_key: Annotated[str | None, fields.idempotency_key_argument("imports")] = None,
    ) -> ImportPayload:
        return await _import(info, ImportKind.INVENTORY_LEVELS, file, dry_run, idempotency_key)
