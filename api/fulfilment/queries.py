"""Reads of shipments and pick lists: filtered pages and DataLoader batches."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlmodel import col

from api.fulfilment.models import Package, PickList, PickTask, TrackingEvent
from api.orders.models import Allocation, Shipment
from api.reads import Reader, columns, load_by_key, load_groups


@dataclass(frozen=True)
class ShipmentFilter:
    statuses: Sequence[str] | None = None
    location_id: int | None = None
    order_id: int | None = None
    pick_list_id: int | None = None


def shipments_query(criteria: ShipmentFilter) -> Select[Any]:
    statement = select(*columns(Shipment))
    if criteria.statuses:
        statement = statement.where(col(Shipment.status).in_(criteria.statuses))
    if criteria.location_id is not None:
        statement = statement.where(col(Shipment.location_id) == criteria.location_id)
    if criteria.order_id is not None:
        statement = statement.where(col(Shipment.order_id) == criteria.order_id)
    if criteria.pick_list_id is not None:
        statement = statement.where(col(Shipment.pick_list_id) == criteria.pick_list_id)
    return statement


def pick_lists_query(*, location_id: int | None, statuses: Sequence[str] | None) -> Select[Any]:
    statement = select(*columns(PickList))
    if location_id is not None:
        statement = statement.where(col(PickList.location_id) == location_id)
    if statuses:
        statement = statement.where(col(PickList.status).in_(statuses))
    return statement


async def shipments_by_id(reader: Reader, ids: Sequence[int]) -> list[Shipment | None]:
    return await load_by_key(reader, Shipment, col(Shipment.id), ids)


async def shipments_by_order_id(reader: Reader, ids: Sequence[int]) -> list[list[Shipment]]:
    return await load_groups(
        reader, Shipment, col(Shipment.order_id), ids, order_by=col(Shipment.id)
    )


async def shipments_by_pick_list_id(reader: Reader, ids: Sequence[int]) -> list[list[Shipment]]:
    return await load_groups(
        reader, Shipment, col(Shipment.pick_list_id), ids, order_by=col(Shipment.id)
    )


async def allocations_by_shipment_id(reader: Reader, ids: Sequence[int]) -> list[list[Allocation]]:
    return await load_groups(
        reader, Allocation, col(Allocation.shipment_id), ids, order_by=col(Allocation.id)
    )


async def packages_by_shipment_id(reader: Reader, ids: Sequence[int]) -> list[list[Package]]:
    return await load_groups(
        reader, Package, col(Package.shipment_id), ids, order_by=col(Package.id)
    )


async def tracking_events_by_shipment_id(
    reader: Reader, ids: Sequence[int]
) -> list[list[TrackingEvent]]:
    return await load_groups(
        reader,
        TrackingEvent,
        col(TrackingEvent.shipment_id),
        ids,
        order_by=(col(TrackingEvent.occurred_at), col(TrackingEvent.id)),
    )


async def pick_lists_by_id(reader: Reader, ids: Sequence[int]) -> list[PickList | None]:
    return await load_by_key(reader, PickList, col(PickList.id), ids)


async def tasks_by_pick_list_id(reader: Reader, ids: Sequence[int]) -> list[list[PickTask]]:
    return await load_groups(
        reader, PickTask, col(PickTask.pick_list_id), ids, order_by=col(PickTask.sequence)
    )


async def pick_tasks_by_id(reader: Reader, ids: Sequence[int]) -> list[PickTask | None]:
    return await load_by_key(reader, PickTask, col(PickTask.id), ids)
