from __future__ import annotations

from datetime import datetime

import strawberry
from sqlmodel import col

from api.auth import Permission
from api.fulfilment import confirming, packing, picking, queries, shipping, tracking
from api.fulfilment.models import PickList
from api.fulfilment.statuses import PickListStatus
from api.orders.models import Shipment
from api.orders.statuses import ShipmentStatus
from schema import fields
from schema.context import Info
from schema.errors import UserError
from schema.fulfilment.types import PickListType, ShipmentType
from schema.relay import Connection, connection, decode_id, query_id


@strawberry.input
class ShipmentFilter:
    status: list[ShipmentStatus] | None = None
    location_id: strawberry.ID | None = None
    order_id: strawberry.ID | None = None
    pick_list_id: strawberry.ID | None = None


@strawberry.input
class CreatePickListInput:
    location_id: strawberry.ID
    max_orders: int | None = strawberry.field(
        default=None, description="At most this many shipments, oldest first."
    )
    max_lines: int | None = strawberry.field(
        default=None, description="At most this many order lines (the first shipment always)."
    )


@strawberry.type
class CreatePickListPayload:
    pick_list: PickListType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class PickInput:
    task_id: strawberry.ID
    quantity: int = strawberry.field(description="Units found and taken; less is a short pick.")


@strawberry.input
class ConfirmPicksInput:
    pick_list_id: strawberry.ID
    picks: list[PickInput]
    idempotency_key: str | None = fields.idempotency_key("picks")


@strawberry.type
class ConfirmPicksPayload:
    pick_list: PickListType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class PackageInput:
    weight_grams: int
    length_cm: int | None = None
    width_cm: int | None = None
    height_cm: int | None = None


@strawberry.input
class PackShipmentInput:
    shipment_id: strawberry.ID
    packages: list[PackageInput]
    scanned_skus: list[str] | None = strawberry.field(
        default=None,
        description="Every unit as scanned at the bench (SKU codes or barcodes); a wrong or "
        "missing item stops packing.",
    )


@strawberry.type
class PackShipmentPayload:
    shipment: ShipmentType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class ShipShipmentInput:
    shipment_id: strawberry.ID
    carrier: str | None = strawberry.field(
        default=None, description="Chosen by price and the promised date when omitted."
    )
    service: str | None = None


@strawberry.type
class ShipShipmentPayload:
    shipment: ShipmentType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class RecordTrackingEventInput:
    tracking_number: str
    status: ShipmentStatus
    occurred_at: datetime
    description: str | None = None


@strawberry.type
class RecordTrackingEventPayload:
    shipment: ShipmentType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class FulfilmentQueries:
    @fields.query(Permission.ORDERS_READ, description="Shipments, newest first by default.")
    async def shipments(
        self,
        info: Info,
        filter: ShipmentFilter | None = None,
        reverse: bool = True,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[ShipmentType]:
        criteria = filter or ShipmentFilter()

        def optional_id(value: strawberry.ID | None, type_name: str, name: str) -> int | None:
            return query_id(value, type_name, f"filter.{name}") if value else None

        statement = queries.shipments_query(
            queries.ShipmentFilter(
                statuses=[status.value for status in criteria.status or []],
                location_id=optional_id(criteria.location_id, "Location", "locationId"),
                order_id=optional_id(criteria.order_id, "Order", "orderId"),
                pick_list_id=optional_id(criteria.pick_list_id, "PickList", "pickListId"),
            )
        )
        return await connection(
            info,
            statement,
            col(Shipment.id),
            ShipmentType.from_row,
            first=first,
            after=after,
            last=last,
            before=before,
            descending=reverse,
        )

    @fields.query(Permission.ORDERS_READ, description="Pick lists, newest first by default.")
    async def pick_lists(
        self,
        info: Info,
        location_id: strawberry.ID | None = None,
        status: list[PickListStatus] | None = None,
        reverse: bool = True,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[PickListType]:
        statement = queries.pick_lists_query(
            location_id=query_id(location_id, "Location", "locationId") if location_id else None,
            statuses=[value.value for value in status or []],
        )
        return await connection(
            info,
            statement,
            col(PickList.id),
            PickListType.from_row,
            first=first,
            after=after,
            last=last,
            before=before,
            descending=reverse,
        )


@strawberry.type
class FulfilmentMutations:
    @fields.mutation(
        Permission.FULFILLMENT_WRITE,
        description="Gathers a location's shipments waiting to be picked into one wave.",
    )
    async def create_pick_list(
        self, info: Info, input: CreatePickListInput
    ) -> CreatePickListPayload:
        location_id = decode_id(input.location_id, "Location", "locationId")
        async with info.context.unit_of_work() as uow:
            pick_list = await picking.create_pick_list(
                uow,
                location_id=location_id,
                max_orders=input.max_orders,
                max_lines=input.max_lines,
            )
        return CreatePickListPayload(pick_list=PickListType.from_row(pick_list))

    @fields.mutation(
        Permission.FULFILLMENT_WRITE,
        description="Records what was found at each task; short picks are re-sourced or "
        "backordered at once.",
    )
    async def confirm_picks(self, info: Info, input: ConfirmPicksInput) -> ConfirmPicksPayload:
        pick_list_id = decode_id(input.pick_list_id, "PickList", "pickListId")
        picks = [
            confirming.PickConfirmation(
                decode_id(pick.task_id, "PickTask", f"picks.{index}.taskId"), pick.quantity
            )
            for index, pick in enumerate(input.picks)
        ]
        async with info.context.unit_of_work() as uow:
            pick_list = await confirming.confirm_picks(
                uow,
                pick_list_id=pick_list_id,
                picks=picks,
                policy=info.context.order_policy,
                idempotency_key=input.idempotency_key,
            )
        return ConfirmPicksPayload(pick_list=PickListType.from_row(pick_list))

    @fields.mutation(Permission.FULFILLMENT_WRITE)
    async def pack_shipment(self, info: Info, input: PackShipmentInput) -> PackShipmentPayload:
        shipment_id = decode_id(input.shipment_id, "Shipment", "shipmentId")
        packages = [
            packing.PackageSpec(p.weight_grams, p.length_cm, p.width_cm, p.height_cm)
            for p in input.packages
        ]
        async with info.context.unit_of_work() as uow:
            shipment = await packing.pack_shipment(
                uow, shipment_id=shipment_id, packages=packages, scanned_skus=input.scanned_skus
            )
        return PackShipmentPayload(shipment=ShipmentType.from_row(shipment))

    @fields.mutation(
        Permission.FULFILLMENT_WRITE,
        description="Books the carrier, prints the label, captures payment for what left. "
        "Calling it again for a shipped shipment changes nothing.",
    )
    async def ship_shipment(self, info: Info, input: ShipShipmentInput) -> ShipShipmentPayload:
        shipment_id = decode_id(input.shipment_id, "Shipment", "shipmentId")
        async with info.context.unit_of_work() as uow:
            shipment = await shipping.ship_shipment(
                uow,
                info.context.payments,
                info.context.carriers,
                shipment_id=shipment_id,
                carrier=input.carrier,
                service=input.service,
            )
        return ShipShipmentPayload(shipment=ShipmentType.from_row(shipment))

    @fields.mutation(
        Permission.FULFILLMENT_WRITE,
        description="A carrier's report on a shipment (also accepted signed at "
        "POST /carriers/{carrier}/events).",
    )
    async def record_tracking_event(
        self, info: Info, input: RecordTrackingEventInput
    ) -> RecordTrackingEventPayload:
        async with info.context.unit_of_work() as uow:
            shipment = await tracking.record_tracking_event(
                uow,
                tracking_number=input.tracking_number,
                status=input.status,
                occurred_at=input.occurred_at,
                description=input.description,
            )
        return RecordTrackingEventPayload(shipment=ShipmentType.from_row(shipment))
