from __future__ import annotations

from datetime import datetime

import strawberry

from api.locations.models import Bin, Location
from schema.relations import related
from schema.relay import Node, encode_global_id


@strawberry.type
class Address:
    line1: str
    line2: str | None
    city: str
    region: str | None
    postal_code: str
    country: str


@strawberry.type(name="Bin", description="A pick location inside a location.")
class BinType(Node):
    pk: strawberry.Private[int]
    location_id: strawberry.Private[int]
    code: str
    aisle: int
    bay: int
    level: int
    pick_sequence: int

    @classmethod
    def from_row(cls, row: Bin) -> BinType:
        assert row.id is not None
        return cls(
            id=encode_global_id("Bin", row.id),
            pk=row.id,
            location_id=row.location_id,
            code=row.code,
            aisle=row.aisle,
            bay=row.bay,
            level=row.level,
            pick_sequence=row.pick_sequence,
        )


@strawberry.type(name="Location", description="A warehouse, store or 3PL that holds stock.")
class LocationType(Node):
    pk: strawberry.Private[int]
    code: str
    name: str
    address: Address
    latitude: float
    longitude: float
    ships: bool
    priority: int
    created_at: datetime

    bins = related(
        "bins_by_location_id",
        "pk",
        list[BinType],
        description="Pick locations in walking order.",
    )

    @classmethod
    def from_row(cls, row: Location) -> LocationType:
        assert row.id is not None
        return cls(
            id=encode_global_id("Location", row.id),
            pk=row.id,
            code=row.code,
            name=row.name,
            address=Address(
                line1=row.line1,
                line2=row.line2,
                city=row.city,
                region=row.region,
                postal_code=row.postal_code,
                country=row.country,
            ),
            latitude=row.latitude,
            longitude=row.longitude,
            ships=row.ships,
            priority=row.priority,
            created_at=row.created_at,
        )
