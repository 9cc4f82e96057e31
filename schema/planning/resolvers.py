from __future__ import annotations

import strawberry

from api.auth import Permission
from api.dbtypes import utcnow
from api.planning import actions
from api.planning.plans import (
    PlanningPolicy,
    level_outlooks,
    rebalancing_suggestions,
    replenishment_suggestions,
)
from api.planning.service import demand_forecast
from schema import fields
from schema.context import Info
from schema.errors import UserError
from schema.inventory.types import TransferType
from schema.planning.types import (
    DemandForecastType,
    RebalancingSuggestionType,
    ReplenishmentSuggestionType,
)
from schema.purchasing.resolvers import PurchaseOrderPayload
from schema.purchasing.types import PurchaseOrderType
from schema.relay import decode_id, query_id


def _policy(info: Info) -> PlanningPolicy:
    return PlanningPolicy.of(info.context.settings)


@strawberry.type
class PlanningQueries:
    @fields.query(
        Permission.INVENTORY_READ,
        description="Daily demand for a SKU over the last `historyDays` UTC days (today "
        "included) at a location, or everywhere, and its forecast for the next `days`.",
    )
    async def demand_forecast(
        self,
        info: Info,
        sku: str,
        location_id: strawberry.ID | None = None,
        days: int = 28,
        history_days: int = 91,
    ) -> DemandForecastType:
        location_pk = query_id(location_id, "Location", "locationId") if location_id else None
        async with info.context.database.session() as session:
            result = await demand_forecast(
                session,
                sku_code=sku,
                location_id=location_pk,
                days=days,
                history_days=history_days,
                today=utcnow().date(),
            )
        return DemandForecastType.of(result)

    @fields.query(
        Permission.INVENTORY_READ,
        description="What to order, per level at or below its reorder point (at one location, "
        "if given), the fewest days of cover first; each with the figures behind it.",
    )
    async def replenishment_suggestions(
        self, info: Info, location_id: strawberry.ID | None = None
    ) -> list[ReplenishmentSuggestionType]:
        location_pk = query_id(location_id, "Location", "locationId") if location_id else None
        async with info.context.database.reader() as reader:
            outlooks = await level_outlooks(
                reader, _policy(info), today=utcnow().date(), location_id=location_pk
            )
        return [
            ReplenishmentSuggestionType.of(item) for item in replenishment_suggestions(outlooks)
        ]

    @fields.query(
        Permission.INVENTORY_READ,
        description="Transfers from locations with days of cover to spare to those about to "
        "run out (of one SKU, to or from one location, if given), the shortest first.",
    )
    async def rebalancing_suggestions(
        self, info: Info, sku: str | None = None, location_id: strawberry.ID | None = None
    ) -> list[RebalancingSuggestionType]:
        location_pk = query_id(location_id, "Location", "locationId") if location_id else None
        policy = _policy(info)
        async with info.context.database.reader() as reader:
            outlooks = await level_outlooks(reader, policy, today=utcnow().date())
        return [
            RebalancingSuggestionType.of(suggestion)
            for suggestion in rebalancing_suggestions(outlooks, policy)
            if (sku is None or suggestion.sku_code == sku.strip())
            and (
                location_pk is None
                or location_pk in (suggestion.source.location_id, suggestion.target.location_id)
            )
        ]


@strawberry.input
class OrderReplenishmentInput:
    location_id: strawberry.ID
    supplier: str = strawberry.field(description="The supplier's code.")
    skus: list[str] | None = strawberry.field(
        default=None,
        description="Only these of the suggestions; every suggestion for the supplier if omitted.",
    )


@strawberry.input
class TransferRebalancingInput:
    sku: str
    from_location_id: strawberry.ID
    to_location_id: strawberry.ID


@strawberry.type
class TransferRebalancingPayload:
    transfer: TransferType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class PlanningMutations:
    @fields.mutation(
        Permission.INVENTORY_WRITE,
        description="A DRAFT purchase order from the supplier of the quantities the location's "
        "replenishment suggestions name for it, at its prices (NO_SUGGESTION when there are "
        "none, or a SKU asked for has none).",
    )
    async def order_replenishment(
        self, info: Info, input: OrderReplenishmentInput
    ) -> PurchaseOrderPayload:
        location_id = decode_id(input.location_id, "Location", "locationId")
        async with info.context.unit_of_work() as uow:
            order = await actions.order_suggested(
                uow,
                _policy(info),
                location_id=location_id,
                supplier_code=input.supplier,
                sku_codes=input.skus,
                today=utcnow().date(),
            )
        return PurchaseOrderPayload(purchase_order=PurchaseOrderType.from_row(order))

    @fields.mutation(
        Permission.INVENTORY_WRITE,
        description="The transfer a rebalancing suggestion names, of the quantity it suggests "
        "(NO_SUGGESTION when none moves that SKU between those locations now).",
    )
    async def transfer_rebalancing(
        self, info: Info, input: TransferRebalancingInput
    ) -> TransferRebalancingPayload:
        from_location_id = decode_id(input.from_location_id, "Location", "fromLocationId")
        to_location_id = decode_id(input.to_location_id, "Location", "toLocationId")
        async with info.context.unit_of_work() as uow:
            transfer = await actions.transfer_suggested(
                uow,
                _policy(info),
                sku_code=input.sku,
                from_location_id=from_location_id,
                to_location_id=to_location_id,
                today=utcnow().date(),
            )
        return TransferRebalancingPayload(transfer=TransferType.from_row(transfer))
