from __future__ import annotations

from datetime import datetime

import strawberry
from sqlmodel import col

from api.auth import Permission
from api.purchasing import queries, service
from api.purchasing.models import PurchaseOrder
from api.purchasing.statuses import PurchaseOrderStatus
from schema import fields
from schema.context import Info
from schema.errors import UserError
from schema.purchasing.types import PurchaseOrderType, SupplierType
from schema.relay import Connection, connection, decode_id, query_id


@strawberry.input
class PurchaseOrderFilter:
    status: list[PurchaseOrderStatus] | None = None
    location_id: strawberry.ID | None = None
    supplier_id: strawberry.ID | None = None


@strawberry.type
class PurchasingQueries:
    @fields.query(Permission.INVENTORY_READ, description="Suppliers by code.")
    async def suppliers(self, info: Info) -> list[SupplierType]:
        async with info.context.database.session() as session:
            rows = await queries.list_suppliers(session)
        return [SupplierType.from_row(row) for row in rows]

    @fields.query(
        Permission.INVENTORY_READ, description="Purchase orders, newest first by default."
    )
    async def purchase_orders(
        self,
        info: Info,
        filter: PurchaseOrderFilter | None = None,
        reverse: bool = True,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[PurchaseOrderType]:
        criteria = filter or PurchaseOrderFilter()
        statement = queries.purchase_orders_query(
            queries.PurchaseOrderFilter(
                statuses=[status.value for status in criteria.status or []],
                location_id=(
                    query_id(criteria.location_id, "Location", "filter.locationId")
                    if criteria.location_id
                    else None
                ),
                supplier_id=(
                    query_id(criteria.supplier_id, "Supplier", "filter.supplierId")
                    if criteria.supplier_id
                    else None
                ),
            )
        )
        return await connection(
            info,
            statement,
            col(PurchaseOrder.id),
            PurchaseOrderType.from_row,
            first=first,
            after=after,
            last=last,
            before=before,
            descending=reverse,
        )


@strawberry.input
class CreateSupplierInput:
    code: str
    name: str
    lead_time_days: int = strawberry.field(description="Days from ordering to arrival.")


@strawberry.type
class CreateSupplierPayload:
    supplier: SupplierType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class PurchaseOrderLineInput:
    sku: str
    quantity: int
    unit_cost: int = strawberry.field(description="Minor units per unit.")


@strawberry.input
class CreatePurchaseOrderInput:
    supplier: str = strawberry.field(description="The supplier's code.")
    location_id: strawberry.ID
    lines: list[PurchaseOrderLineInput]
    expected_at: datetime | None = strawberry.field(
        default=None,
        description="When it should arrive; after the supplier's lead time if omitted.",
    )


@strawberry.input
class PurchaseOrderIdInput:
    purchase_order_id: strawberry.ID


@strawberry.input
class ReceivedUnitsInput:
    sku: str
    quantity: int


@strawberry.input
class ReceivePurchaseOrderInput:
    purchase_order_id: strawberry.ID
    lines: list[ReceivedUnitsInput] | None = strawberry.field(
        default=None, description="What arrived; everything still expected when omitted."
    )
    idempotency_key: str | None = fields.idempotency_key("receives")


@strawberry.input
class CancelPurchaseOrderInput:
    purchase_order_id: strawberry.ID
    reason: str


@strawberry.type
class PurchaseOrderPayload:
    purchase_order: PurchaseOrderType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class SetSupplierSkuInput:
    supplier: str = strawberry.field(description="The supplier's code.")
    sku: str
    pack_size: int = strawberry.field(description="Ordered in whole packs of this many.")
    unit_cost: int = strawberry.field(description="Minor units per unit.")


@strawberry.type
class SetSupplierSkuPayload:
    supplier: SupplierType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class RemoveSupplierSkuInput:
    supplier: str = strawberry.field(description="The supplier's code.")
    sku: str


@strawberry.type
class PurchasingMutations:
    @fields.mutation(Permission.INVENTORY_WRITE)
    async def create_supplier(
        self, info: Info, input: CreateSupplierInput
    ) -> CreateSupplierPayload:
        async with info.context.unit_of_work() as uow:
            supplier = await service.create_supplier(
                uow, code=input.code, name=input.name, lead_time_days=input.lead_time_days
            )
        return CreateSupplierPayload(supplier=SupplierType.from_row(supplier))

    @fields.mutation(
        Permission.INVENTORY_WRITE,
        description="Records that the supplier sells the SKU, in packs at a unit cost, or "
        "changes those terms.",
    )
    async def set_supplier_sku(
        self, info: Info, input: SetSupplierSkuInput
    ) -> SetSupplierSkuPayload:
        async with info.context.unit_of_work() as uow:
            terms = await service.set_supplier_sku(
                uow,
                supplier_code=input.supplier,
                sku_code=input.sku,
                pack_size=input.pack_size,
                unit_cost=input.unit_cost,
            )
        return SetSupplierSkuPayload(supplier=await _supplier(info, terms.supplier_id))

    @fields.mutation(Permission.INVENTORY_WRITE, description="The supplier no longer sells it.")
    async def remove_supplier_sku(
        self, info: Info, input: RemoveSupplierSkuInput
    ) -> SetSupplierSkuPayload:
        async with info.context.unit_of_work() as uow:
            supplier_id = await service.remove_supplier_sku(
                uow, supplier_code=input.supplier, sku_code=input.sku
            )
        return SetSupplierSkuPayload(supplier=await _supplier(info, supplier_id))

    @fields.mutation(Permission.INVENTORY_WRITE, description="A DRAFT: nothing is on its way yet.")
    async def create_purchase_order(
        self, info: Info, input: CreatePurchaseOrderInput
    ) -> PurchaseOrderPayload:
        location_id = decode_id(input.location_id, "Location", "locationId")
        lines = [
            service.PurchaseLine(line.sku, line.quantity, line.unit_cost) for line in input.lines
        ]
        async with info.context.unit_of_work() as uow:
            order = await service.create_purchase_order(
                uow,
                supplier_code=input.supplier,
                location_id=location_id,
                lines=lines,
                expected_at=input.expected_at,
            )
        return PurchaseOrderPayload(purchase_order=PurchaseOrderType.from_row(order))

    @fields.mutation(
        Permission.INVENTORY_WRITE,
        description="Sends it to the supplier: its units become the location's incoming stock.",
    )
    async def order_purchase_order(
        self, info: Info, input: PurchaseOrderIdInput
    ) -> PurchaseOrderPayload:
        purchase_order_id = decode_id(input.purchase_order_id, "PurchaseOrder", "purchaseOrderId")
        async with info.context.unit_of_work() as uow:
            order = await service.order_purchase_order(uow, purchase_order_id=purchase_order_id)
        return PurchaseOrderPayload(purchase_order=PurchaseOrderType.from_row(order))

    @fields.mutation(
        Permission.INVENTORY_WRITE,
        description="Books what arrived (in parts if need be; never more than ordered: "
        "OVER_RECEIPT), averages the SKUs' unit costs and fills backorders oldest first.",
    )
    async def receive_purchase_order(
        self, info: Info, input: ReceivePurchaseOrderInput
    ) -> PurchaseOrderPayload:
        purchase_order_id = decode_id(input.purchase_order_id, "PurchaseOrder", "purchaseOrderId")
        lines = (
            [service.ReceivedUnits(line.sku, line.quantity) for line in input.lines]
            if input.lines is not None
            else None
        )
        async with info.context.unit_of_work() as uow:
            order = await service.receive_purchase_order(
                uow,
                purchase_order_id=purchase_order_id,
                lines=lines,
                idempotency_key=input.idempotency_key,
            )
        return PurchaseOrderPayload(purchase_order=PurchaseOrderType.from_row(order))

    @fields.mutation(
        Permission.INVENTORY_WRITE,
        description="Stops what has not arrived; what arrived stays received.",
    )
    async def cancel_purchase_order(
        self, info: Info, input: CancelPurchaseOrderInput
    ) -> PurchaseOrderPayload:
        purchase_order_id = decode_id(input.purchase_order_id, "PurchaseOrder", "purchaseOrderId")
        async with info.context.unit_of_work() as uow:
            order = await service.cancel_purchase_order(
                uow, purchase_order_id=purchase_order_id, reason=input.reason
            )
        return PurchaseOrderPayload(purchase_order=PurchaseOrderType.from_row(order))


async def _supplier(info: Info, supplier_id: int) -> SupplierType | None:
    found: SupplierType | None = await info.context.loaders.supplier_by_id.load(supplier_id)
    return found
