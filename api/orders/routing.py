"""From a request to a routing plan: checked lines, the destination, a fresh read of free
stock, and the sourcing decision; shared by placeOrder and simulateRouting."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.catalog.models import Sku
from api.errors import InvalidInput, NotFound
from api.inventory.errors import InsufficientStock
from api.inventory.models import InventoryLevel, available_in_sql
from api.locations.models import Location
from api.orders import pricing
from api.orders.requests import LineRequest, ShippingAddress, checked_address, merged_lines
from api.reads import as_records, columns, keys_in
from api.shipping.rates import Point, rate
from api.shipping.speeds import ShippingSpeed
from api.sourcing.geocoding import locate
from api.sourcing.rules import Candidate, Demand, RoutingPlan, route


@dataclass(frozen=True)
class OrderPolicy:
    max_shipments: int = 3
    backorder_lead_days: int = 14
    incoming_lead_days: int = 3
    idempotency_ttl: timedelta = timedelta(hours=24)


Candidates = tuple[list["Candidate"], dict[tuple[int, int], int]]


@dataclass
class Prepared:
    skus: dict[str, Sku]
    quantities: dict[str, int]
    destination: Point
    speed: ShippingSpeed
    stock: Candidates
    """Where the SKUs stood when they were read: shipping locations with free stock, and the
    level ids (location, SKU) that hold it."""

    @property
    def demands(self) -> list[Demand]:
        return [
            Demand(sku.id, code, self.quantities[code], sku.allow_backorder)  # type: ignore[arg-type]
            for code, sku in self.skus.items()
        ]


# Hot-path reads, built once per dialect (a statement built per order costs more than running
# it); they read plain rows, which the order only reads from.
def _candidate_levels() -> tuple[Any, list[Any]]:
    """Levels with free stock at shipping locations, joined to their location, and the
    columns a candidate is read from."""
    level, location = columns(InventoryLevel), columns(Location)
    free = available_in_sql(level)
    stocked = level.id.table.join(
        location.id.table,
        and_(location.id == level.location_id, location.ships.is_(True), free > 0),
    )
    candidate_columns = [
        level.id.label("level_id"),
        level.location_id.label("level_location_id"),
        level.sku_id.label("level_sku_id"),
        free.label("level_free"),
        location.code.label("location_code"),
        location.latitude.label("location_latitude"),
        location.longitude.label("location_longitude"),
        location.priority.label("location_priority"),
    ]
    return stocked, candidate_columns


@cache
def _skus_with_stock(dialect: str) -> Any:
    """The order's SKUs with, per SKU, one row for each shipping location that has it free
    (or one row of NULLs): SKUs and candidates in one round trip."""
    sku = columns(Sku)
    stocked, candidate_columns = _candidate_levels()
    level = columns(InventoryLevel)
    return (
        select(*sku, *candidate_columns)
        .select_from(sku.id.table.outerjoin(stocked, level.sku_id == sku.id))
        .where(keys_in(sku.code, dialect))
    )


@cache
def _candidates(dialect: str) -> Any:
    stocked, candidate_columns = _candidate_levels()
    return (
        select(*candidate_columns)
        .select_from(stocked)
        .where(keys_in(columns(InventoryLevel).sku_id, dialect))
    )


def _candidates_from(rows: Sequence[Any]) -> Candidates:
    stock: dict[int, dict[int, int]] = {}
    places: dict[int, tuple[str, Point, int]] = {}
    level_ids: dict[tuple[int, int], int] = {}
    for row in rows:
        if row.level_id is None:
            continue
        location_id, sku_id = row.level_location_id, row.level_sku_id
        stock.setdefault(location_id, {})[sku_id] = int(row.level_free)
        places[location_id] = (
            row.location_code,
            Point(row.location_latitude, row.location_longitude),
            row.location_priority,
        )
        level_ids[(location_id, sku_id)] = row.level_id
    candidates = [
        Candidate(location_id, *places[location_id][:2], places[location_id][2], available)
        for location_id, available in stock.items()
    ]
    return candidates, level_ids


def _checked_skus(rows: Sequence[Any], quantities: dict[str, int]) -> dict[str, Sku]:
    found = {sku.code: sku for sku in as_records(rows, Sku)}
    for index, code in enumerate(quantities):
        sku = found.get(code)
        if sku is None:
            raise NotFound("SKU", code, field=["lines", str(index), "sku"])
        if not sku.active:
            raise InvalidInput(f"SKU {code} is not for sale", field=["lines", str(index), "sku"])
    currencies = {sku.currency for sku in found.values()}
    if len(currencies) > 1:
        raise InvalidInput("all lines of an order share one currency", field=["lines"])
    return {code: found[code] for code in quantities}


def locate_destination(address: ShippingAddress) -> Point:
    if address.latitude is not None and address.longitude is not None:
        return Point(address.latitude, address.longitude)
    located = locate(address.city, address.country.strip().upper())
    if located is None:
        raise InvalidInput(
            "the shipping address cannot be placed on the map: give latitude and longitude",
            field=["shippingAddress"],
        )
    return located[0]


async def prepare(
    session: AsyncSession,
    quantities: dict[str, int],
    address: ShippingAddress,
    speed: ShippingSpeed,
) -> Prepared:
    """The wanted units (checked: ``requests.merged_lines``) with their SKUs and where they are
    in stock, read in one statement, for a checked address (``requests.checked_address``)."""
    dialect = session.get_bind().dialect.name
    rows = (await session.execute(_skus_with_stock(dialect), {"keys": list(quantities)})).all()
    skus = _checked_skus(rows, quantities)
    return Prepared(skus, quantities, locate_destination(address), speed, _candidates_from(rows))


async def read_candidates(session: AsyncSession, sku_ids: Sequence[int]) -> Candidates:
    """Shipping locations with free stock of these SKUs now, and their level ids."""
    rows = await session.execute(
        _candidates(session.get_bind().dialect.name), {"keys": list(sku_ids)}
    )
    return _candidates_from(rows.all())


async def plan_routing(
    session: AsyncSession, prepared: Prepared, policy: OrderPolicy, *, reread: bool = False
) -> tuple[RoutingPlan, dict[tuple[int, int], int]]:
    """Routes ``prepared`` over the stock read with it, or over a fresh read (``reread``)."""
    sku_ids = [demand.sku_id for demand in prepared.demands]
    candidates, level_ids = await read_candidates(session, sku_ids) if reread else prepared.stock
    plan = route(
        prepared.demands,
        candidates,
        prepared.destination,
        speed=prepared.speed,
        max_shipments=policy.max_shipments,
    )
    if plan.shortages:
        shortage = plan.shortages[0]
        index = list(prepared.quantities).index(shortage.sku_code)
        raise InsufficientStock(
            shortage.sku_code,
            shortage.requested,
            shortage.available,
            field=["lines", str(index), "quantity"],
        )
    return plan, level_ids


def shipping_total(plan: RoutingPlan, speed: ShippingSpeed) -> tuple[int, int]:
    """Shipping price and the slowest transit in days, over the plan's shipments."""
    chosen = [c for c in plan.decision["candidates"] if c["chosen"]]
    if not chosen:  # everything backordered: one shipment later, priced as a national one
        national = rate(speed, 1000.0)
        return national.price, national.transit_days
    return sum(c["shippingCost"] for c in chosen), max(c["transitDays"] for c in chosen)


@dataclass(frozen=True)
class RoutingSimulation:
    decision: dict[str, Any]
    totals: pricing.Totals
    currency: str


async def simulate_routing(
    session: AsyncSession,
    lines: list[LineRequest],
    address: ShippingAddress,
    speed: ShippingSpeed,
    policy: OrderPolicy,
) -> RoutingSimulation:
    """What placeOrder would decide now for these lines and address, reserving nothing."""
    checked_address(address)
    prepared = await prepare(session, merged_lines(lines), address, speed)
    plan, _ = await plan_routing(session, prepared, policy)
    shipping, _ = shipping_total(plan, prepared.speed)
    prices = [(prepared.skus[c].price, q) for c, q in prepared.quantities.items()]
    country = address.country.strip().upper()
    first = next(iter(prepared.skus.values()))
    totals = pricing.totals(prices, shipping, country)
    return RoutingSimulation(plan.decision, totals, first.currency)
