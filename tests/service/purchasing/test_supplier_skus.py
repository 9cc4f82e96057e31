"""What a supplier sells: terms set and changed, removed; bad terms refused, nothing written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from api.db import Database
from api.errors import DomainError, InvalidInput, NotFound
from api.events.models import Event, EventType
from api.purchasing import service
from api.purchasing.models import SupplierSku
from tests.service.orders.conftest import Shop
from tests.service.purchasing.conftest import STAFF


async def terms(database: Database) -> list[tuple[int, int]]:
    async with database.session() as session:
        found = await session.execute(select(SupplierSku.pack_size, SupplierSku.unit_cost))
        return [tuple(row) for row in found.all()]  # type: ignore[misc]


async def test_terms_are_set_then_changed_then_removed_each_with_an_event(shop: Shop) -> None:
    async with shop.database.unit_of_work(STAFF) as uow:
        await service.set_supplier_sku(uow, supplier_code="ACME", sku_code="TEE-M",
                                       pack_size=12, unit_cost=400)  # fmt: skip
    async with shop.database.unit_of_work(STAFF) as uow:
        await service.set_supplier_sku(uow, supplier_code="ACME", sku_code="TEE-M",
                                       pack_size=24, unit_cost=380)  # fmt: skip
    assert await terms(shop.database) == [(24, 380)]
    async with shop.database.unit_of_work(STAFF) as uow:
        await service.remove_supplier_sku(uow, supplier_code="ACME", sku_code="TEE-M")
    assert await terms(shop.database) == []
    async with shop.database.session() as session:
        types = (
            (
                await session.execute(
                    select(Event.type).where(Event.aggregate_type == "supplier").order_by(Event.id)  # type: ignore[arg-type]
                )
            )
            .scalars()
            .all()
        )
    assert types == [EventType.SUPPLIER_CREATED, EventType.SUPPLIER_SKU_SET,
                     EventType.SUPPLIER_SKU_SET, EventType.SUPPLIER_SKU_REMOVED]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "error", "field"),
    [
        ({"pack_size": 0}, InvalidInput, ["packSize"]),
        ({"unit_cost": -1}, InvalidInput, ["unitCost"]),
        ({"supplier_code": "NOPE"}, NotFound, ["supplier"]),
        ({"sku_code": "NOPE"}, NotFound, ["sku"]),
    ],
)
async def test_bad_terms_are_refused_and_write_nothing(
    shop: Shop, change: dict[str, object], error: type[DomainError], field: list[str]
) -> None:
    arguments: dict[str, object] = {
        "supplier_code": "ACME", "sku_code": "TEE-M", "pack_size": 6, "unit_cost": 100, **change
    }  # fmt: skip
    with pytest.raises(error) as refused:
        async with shop.database.unit_of_work(STAFF) as uow:
            await service.set_supplier_sku(uow, **arguments)  # type: ignore[arg-type]
    assert refused.value.field == field
    with pytest.raises(NotFound):
        async with shop.database.unit_of_work(STAFF) as uow:
            await service.remove_supplier_sku(uow, supplier_code="ACME", sku_code="TEE-M")
    async with shop.database.session() as session:
        events = (await session.execute(select(func.count()).select_from(Event))).scalar_one()
    assert await terms(shop.database) == []
    assert events == 1 + await _shop_events(shop)


async def _shop_events(shop: Shop) -> int:
    async with shop.database.session() as session:
        return (
            await session.execute(
                select(func.count()).select_from(Event).where(Event.aggregate_type != "supplier")  # type: ignore[arg-type]
            )
        ).scalar_one()
