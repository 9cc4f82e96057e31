"""Acting on a suggestion: what it says to order becomes a draft purchase order, what it says to
move becomes a transfer. The suggestion is computed again inside the command, from the rows as
they are, so nothing is ordered or moved on stale figures; the supplier (or the SKU) stays
locked until the command ends, so a second click finds the first one's result and no longer
a suggestion."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from api.catalog.models import Sku
from api.db import UnitOfWork
from api.dbtypes import utcnow
from api.errors import NoSuggestion
from api.inventory import ledger
from api.inventory.models import Transfer
from api.inventory.transfers import transfer_inventory
from api.planning.plans import (
    PlanningPolicy,
    level_outlooks,
    rebalancing_suggestions,
    replenishment_suggestions,
)
from api.purchasing.models import PurchaseOrder, Supplier
from api.purchasing.service import PurchaseLine, create_purchase_order, find_supplier


async def order_suggested(
    uow: UnitOfWork,
    policy: PlanningPolicy,
    *,
    location_id: int,
    supplier_code: str,
    sku_codes: Sequence[str] | None,
    today: date,
) -> PurchaseOrder:
    """A draft purchase order from the supplier of what the location's suggestions say to
    order from it (only the ``sku_codes`` among them, when given), at the supplier's prices,
    expected after the lead time the suggestions used."""
    await ledger.find_location(uow, location_id)
    supplier = await find_supplier(uow, supplier_code)
    assert supplier.id is not None
    supplier_id = supplier.id
    await uow.lock(Supplier, supplier_id, what="supplier", field="supplier")
    wanted = None if sku_codes is None else {code.strip() for code in sku_codes}
    outlooks = await level_outlooks(
        await uow.session.connection(), policy, today=today, location_id=location_id
    )
    chosen = [
        outlook
        for outlook in replenishment_suggestions(outlooks)
        if outlook.supplier is not None
        and outlook.supplier.supplier_id == supplier_id
        and (wanted is None or outlook.sku_code in wanted)
    ]
    missing = sorted((wanted or set()) - {outlook.sku_code for outlook in chosen})
    if missing or not chosen:
        what = f"SKU {', '.join(missing)}" if missing else "anything"
        raise NoSuggestion(
            f"nothing suggests ordering {what} from {supplier_code.strip()} for this location",
            field=["skus"] if missing else ["supplier"],
        )
    lead_days = max(outlook.lead_time.days for outlook in chosen)
    return await create_purchase_order(
        uow,
        supplier_code=supplier_code,
        location_id=location_id,
        lines=[
            PurchaseLine(
                outlook.sku_code,
                outlook.replenishment.quantity,
                outlook.supplier.unit_cost,  # type: ignore[union-attr]
            )
            for outlook in sorted(chosen, key=lambda outlook: outlook.sku_code)
        ],
        expected_at=utcnow() + timedelta(days=lead_days),
    )


async def transfer_suggested(
    uow: UnitOfWork,
    policy: PlanningPolicy,
    *,
    sku_code: str,
    from_location_id: int,
    to_location_id: int,
    today: date,
) -> Transfer:
    """The transfer the rebalancing suggestions name for the SKU between the two locations, of
    the quantity they suggest."""
    sku = await ledger.find_sku(uow, sku_code)
    assert sku.id is not None
    await uow.lock(Sku, sku.id, what="SKU", field="sku")
    outlooks = await level_outlooks(
        await uow.session.connection(), policy, today=today, sku_ids=[sku.id]
    )
    for suggestion in rebalancing_suggestions(outlooks, policy):
        source, target = suggestion.source.location_id, suggestion.target.location_id
        if (source, target) == (from_location_id, to_location_id):
            return await transfer_inventory(
                uow,
                from_location_id=from_location_id,
                to_location_id=to_location_id,
                sku_code=sku.code,
                quantity=suggestion.quantity,
                reference="rebalancing",
            )
    raise NoSuggestion(
        f"nothing suggests moving {sku.code} from location {from_location_id} to {to_location_id}",
        field=["toLocationId"],
    )
