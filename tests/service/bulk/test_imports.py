from __future__ import annotations

import pytest
from sqlalchemy import func, select

from api.auth import SYSTEM_ACTOR
from api.bulk import level_import, sku_import
from api.bulk.csvfiles import CsvFile, read_csv
from api.bulk.service import ImportKind, import_batch, import_in_batches
from api.bulk.sku_import import ImportSummary
from api.catalog.models import Product, Sku
from api.db import Database
from api.errors import IdempotencyConflict, InvalidInput, RowsRejected
from api.events.models import Event
from api.inventory.models import InventoryLevel, InventoryMovement
from api.locations.service import create_bin
from tests.factories import make_location, make_product, receive
from tests.invariants import assert_invariants
from tests.service.orders.conftest import Shop


def sku_file(text: str) -> CsvFile:
    return sku_import.read_file(text.encode(), max_rows=100)


def level_file(text: str) -> CsvFile:
    return level_import.read_file(text.encode(), max_rows=100)


async def import_skus(database: Database, text: str) -> ImportSummary:
    return await import_batch(database, SYSTEM_ACTOR, ImportKind.SKUS, sku_file(text).rows)


async def import_levels(database: Database, text: str, key: str | None = None) -> ImportSummary:
    rows = level_file(text).rows
    return await import_batch(
        database, SYSTEM_ACTOR, ImportKind.INVENTORY_LEVELS, rows, idempotency_key=key
    )


async def table_counts(database: Database) -> dict[str, int]:
    async with database.session() as session:
        return {
            model.__name__: (
                await session.execute(select(func.count()).select_from(model))
            ).scalar_one()
            for model in (Product, Sku, InventoryLevel, InventoryMovement, Event)
        }


def rejected_fields(error: RowsRejected) -> list[tuple[str, ...]]:
    return [tuple(cause.field or []) for cause in error.causes]


async def test_new_skus_are_created_and_grouped_into_products_by_the_product_column(
    database: Database,
) -> None:
    summary = await import_skus(
        database,
        "SKU,Name,Price,Product,Barcode,Allow Backorder\n"
        "HOODIE-S,Hoodie S,4999,Hoodie,4006381333931,yes\n"
        "HOODIE-M,Hoodie M,4999,Hoodie,,\n"
        "CAP,Cap,1500,,,no\n",
    )
    assert (summary.rows, summary.created, summary.updated, summary.unchanged) == (3, 3, 0, 0)
    async with database.session() as session:
        skus = {sku.code: sku for sku in (await session.execute(select(Sku))).scalars()}
        products = {p.id: p.name for p in (await session.execute(select(Product))).scalars()}
    assert skus["HOODIE-S"].product_id == skus["HOODIE-M"].product_id
    assert products[skus["HOODIE-S"].product_id] == "Hoodie"
    assert products[skus["CAP"].product_id] == "Cap"
    assert skus["HOODIE-S"].allow_backorder and not skus["CAP"].allow_backorder
    assert skus["HOODIE-S"].barcode == "4006381333931" and skus["HOODIE-M"].barcode is None
    async with database.session() as session:
        types = [e.type for e in (await session.execute(select(Event))).scalars()]
    assert types.count("PRODUCT_CREATED") == 2


async def test_known_skus_change_only_in_the_cells_filled_in(database: Database) -> None:
    await make_product(database, "TEE-M", "TEE-L", price=2000)
    summary = await import_skus(
        database, "sku,price,name,active\nTEE-M,2500,,\nTEE-L,2000,,\nNEW-1,100,New,false\n"
    )
    assert (summary.created, summary.updated, summary.unchanged) == (1, 1, 1)
    async with database.session() as session:
        skus = {sku.code: sku for sku in (await session.execute(select(Sku))).scalars()}
        updates = [
            e.payload
            for e in (
                await session.execute(select(Event).where(Event.type == "SKU_UPDATED"))
            ).scalars()
        ]
    assert skus["TEE-M"].price == 2500 and skus["TEE-M"].name == "Test product TEE-M"
    assert skus["TEE-L"].price == 2000 and not skus["NEW-1"].active
    assert updates == [{"sku": "TEE-M", "changed": ["price"], "imported": True}]


async def test_any_bad_row_rejects_the_whole_batch_and_names_every_cell(
    database: Database,
) -> None:
    await make_product(database, "TEE-M")
    before = await table_counts(database)
    with pytest.raises(RowsRejected) as rejected:
        await import_skus(
            database,
            "sku,name,price,weight_grams,barcode\n"
            "GOOD-1,Good,100,,111\n"
            "bad code!,Bad,100,,\n"
            "NO-PRICE,No price,,,\n"
            "GOOD-1,Again,100,,\n"
            "HEAVY,Heavy,12.5,-3,111\n",
        )
    assert rejected_fields(rejected.value) == [
        ("file", "3", "sku"),
        ("file", "4", "price"),
        ("file", "5", "sku"),
        ("file", "6", "price"),
        ("file", "6", "weight_grams"),
        ("file", "6", "barcode"),
    ]
    assert rejected.value.message == "6 errors; none of these rows was imported"
    assert await table_counts(database) == before


async def test_a_barcode_held_by_another_sku_is_refused(database: Database) -> None:
    await import_skus(database, "sku,name,price,barcode\nA-1,A,100,B-100\n")
    with pytest.raises(RowsRejected) as rejected:
        await import_skus(database, "sku,name,price,barcode\nA-2,A2,100,B-100\nA-1,,,\n")
    assert [cause.message for cause in rejected.value.causes] == [
        "barcode B-100 already belongs to SKU A-1"
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty: it needs a header row"),
        ("sku,prize\nA,1\n", "unknown column 'prize'"),
        ("name,price\nA,1\n", "missing column 'sku'"),
        ("sku,name,sku\nA,B,C\n", "column 'sku' appears twice"),
    ],
)
def test_a_file_of_the_wrong_shape_is_refused_before_any_row(text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        sku_file(text)
    assert refused.value.message.startswith(message)
    assert refused.value.field == ["file"]


def test_files_are_read_as_utf8_with_an_optional_byte_order_mark_and_bounded() -> None:
    parsed = read_csv(
        "\ufeffsku,name\nÄ-1,Müsli\n\n".encode(), required={"sku"}, optional={"name"}, max_rows=1
    )
    assert [(row.line, row.cells) for row in parsed.rows] == [(2, {"sku": "Ä-1", "name": "Müsli"})]
    with pytest.raises(InvalidInput, match="not UTF-8"):
        read_csv(b"sku\n\xff\n", required={"sku"}, optional=set(), max_rows=5)
    with pytest.raises(InvalidInput, match="at most 1 rows"):
        read_csv(b"sku\nA\nB\n", required={"sku"}, optional=set(), max_rows=1)


async def test_levels_are_set_to_the_count_with_the_difference_in_the_ledger(
    database: Database,
) -> None:
    await make_product(database, "TEE-M", "TEE-L")
    berlin = await make_location(database, "BER")
    await make_location(database, "MUC")
    await receive(database, berlin, "TEE-M", 10)
    assert berlin.id is not None
    async with database.unit_of_work(SYSTEM_ACTOR) as uow:
        await create_bin(uow, location_id=berlin.id, code="A-01-1", aisle=1, bay=1, level=1)
    summary = await import_levels(
        database,
        "location,sku,on_hand,safety_stock,bin\n"
        "BER,TEE-M,7,2,A-01-1\n"
        "MUC,TEE-L,4,,\n"
        "BER,TEE-L,,,\n",
    )
    assert (summary.created, summary.updated, summary.unchanged) == (2, 1, 0)
    async with database.session() as session:
        levels = {
            (level.location_id, level.sku_id): level
            for level in (await session.execute(select(InventoryLevel))).scalars()
        }
        movements = [
            (m.quantity, m.reason, m.reference)
            for m in (
                await session.execute(select(InventoryMovement).order_by(InventoryMovement.id))
            ).scalars()
        ]
        adjusted = (
            await session.execute(select(func.count()).where(Event.type == "INVENTORY_ADJUSTED"))
        ).scalar_one()
    by_code = {level.on_hand for level in levels.values()}
    assert by_code == {7, 4, 0}
    assert movements[-2:] == [(-3, "cycle_count", "bulk import"), (4, "cycle_count", "bulk import")]
    assert adjusted == 2
    await assert_invariants(database)


async def test_a_count_below_what_is_reserved_rejects_the_batch(
    database: Database, shop: Shop
) -> None:
    await shop.place(("TEE-M", 3))
    before = await table_counts(database)
    with pytest.raises(RowsRejected) as rejected:
        await import_levels(database, "location,sku,on_hand\nMUC,TEE-L,9\nBER,TEE-M,2\n")
    assert rejected_fields(rejected.value) == [("file", "3", "on_hand")]
    assert "3 units are reserved" in rejected.value.causes[0].message
    assert await table_counts(database) == before


async def test_unknown_locations_skus_bins_and_repeats_are_row_errors(
    database: Database,
) -> None:
    await make_product(database, "TEE-M")
    await make_location(database, "BER")
    with pytest.raises(RowsRejected) as rejected:
        await import_levels(
            database,
            "location,sku,on_hand,bin\nXXX,TEE-M,1,\nBER,NOPE,1,\nBER,TEE-M,1,Z-9\nBER,TEE-M,x,\n",
        )
    assert rejected_fields(rejected.value) == [
        ("file", "2", "location"),
        ("file", "3", "sku"),
        ("file", "4", "bin"),
        ("file", "5", "on_hand"),
        ("file", "5", "sku"),
    ]


def test_a_level_file_needs_something_to_set() -> None:
    with pytest.raises(InvalidInput, match="at least one of"):
        level_file("location,sku\nBER,A\n")


async def test_a_dry_run_reports_and_writes_nothing(database: Database) -> None:
    before = await table_counts(database)
    rows = sku_file("sku,name,price\nA-1,A,100\nA-2,B,200\n").rows
    summary = await import_batch(database, SYSTEM_ACTOR, ImportKind.SKUS, rows, dry_run=True)
    assert summary.created == 2
    assert await table_counts(database) == before


async def test_batches_apply_whole_and_a_rejected_one_does_not_stop_the_next(
    database: Database,
) -> None:
    parsed = sku_file("sku,name,price\nA-1,A,100\nA-2,B,200\nA-3,C,x\nA-4,D,1\nA-5,E,2\n")
    outcomes = await import_in_batches(
        database, SYSTEM_ACTOR, ImportKind.SKUS, parsed, batch_size=2
    )
    assert [(o.first_line, o.last_line, o.summary is not None) for o in outcomes] == [
        (2, 3, True),
        (4, 5, False),
        (6, 6, True),
    ]
    async with database.session() as session:
        codes = set((await session.execute(select(Sku.code))).scalars())
    assert codes == {"A-1", "A-2", "A-5"}


async def test_a_keyed_count_replayed_later_does_not_undo_what_moved_since(
    database: Database,
) -> None:
    await make_product(database, "TEE-M")
    berlin = await make_location(database, "BER")
    count = "location,sku,on_hand\nBER,TEE-M,5\n"
    first = await import_levels(database, count, key="count-1")
    await receive(database, berlin, "TEE-M", 3)
    assert await import_levels(database, count, key="count-1") == first
    async with database.session() as session:
        on_hand = (await session.execute(select(InventoryLevel.on_hand))).scalar_one()
    assert on_hand == 8
    with pytest.raises(IdempotencyConflict):
        await import_levels(database, "location,sku,on_hand\nBER,TEE-M,6\n", key="count-1")
