from __future__ import annotations

import strawberry
from sqlmodel import col

from api.auth import Permission
from api.locations import queries, service
from api.locations.models import Location
from schema import fields
from schema.context import Info
from schema.errors import UserError
from schema.locations.types import BinType, LocationType
from schema.relay import Connection, connection, decode_id


@strawberry.type
class LocationQueries:
    @fields.query(Permission.CATALOG_READ)
    async def locations(
        self,
        info: Info,
        ships: bool | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[LocationType]:
        return await connection(
            info,
            queries.locations_query(ships=ships),
            col(Location.id),
            LocationType.from_row,
            first=first,
            after=after,
            last=last,
            before=before,
        )


@strawberry.input
class AddressInput:
    line1: str
    city: str
    postal_code: str
    country: str = strawberry.field(description="ISO 3166-1 alpha-2, e.g. DE")
    line2: str | None = None
    region: str | None = None


@strawberry.input
class CreateLocationInput:
    code: str
    name: str
    address: AddressInput
    latitude: float
    longitude: float
    ships: bool = True
    priority: int = 0


@strawberry.type
class CreateLocationPayload:
    location: LocationType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class CreateBinInput:
    location_id: strawberry.ID
    code: str
    aisle: int = 0
    bay: int = 0
    level: int = 0
    pick_sequence: int | None = strawberry.field(
        default=None, description="Walking order; derived from aisle, bay and level when omitted."
    )


@strawberry.type
class CreateBinPayload:
    bin: BinType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class LocationMutations:
    @fields.mutation(Permission.SETTINGS_WRITE)
    async def create_location(
        self, info: Info, input: CreateLocationInput
    ) -> CreateLocationPayload:
        address = service.AddressFields(
            line1=input.address.line1,
            line2=input.address.line2,
            city=input.address.city,
            region=input.address.region,
            postal_code=input.address.postal_code,
            country=input.address.country,
        )
        async with info.context.unit_of_work() as uow:
            location = await service.create_location(
                uow,
                code=input.code,
                name=input.name,
                address=address,
                latitude=input.latitude,
                longitude=input.longitude,
                ships=input.ships,
                priority=input.priority,
            )
        return CreateLocationPayload(location=LocationType.from_row(location))

    @fields.mutation(Permission.SETTINGS_WRITE)
    async def create_bin(self, info: Info, input: CreateBinInput) -> CreateBinPayload:
        location_id = decode_id(input.location_id, "Location", "locationId")
        async with info.context.unit_of_work() as uow:
            bin_ = await service.create_bin(
                uow,
                location_id=location_id,
                code=input.code,
                aisle=input.aisle,
                bay=input.bay,
                level=input.level,
                pick_sequence=input.pick_sequence,
            )
        return CreateBinPayload(bin=BinType.from_row(bin_))
