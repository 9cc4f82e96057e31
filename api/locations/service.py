from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import col

from api import validation
from api.db import UnitOfWork
from api.errors import AlreadyExists, NotFound
from api.locations.events import BinCreated, LocationCreated
from api.locations.models import Bin, Location


@dataclass(frozen=True)
class AddressFields:
    line1: str
    city: str
    postal_code: str
    country: str
    line2: str | None = None
    region: str | None = None


async def create_location(
    uow: UnitOfWork,
    *,
    code: str,
    name: str,
    address: AddressFields,
    latitude: float,
    longitude: float,
    ships: bool = True,
    priority: int = 0,
) -> Location:
    code = validation.code(code, "code")
    latitude, longitude = validation.coordinates(latitude, longitude)
    location = Location(
        code=code,
        name=validation.text(name, "name"),
        **validation.postal_address(address),
        latitude=latitude,
        longitude=longitude,
        ships=ships,
        priority=validation.non_negative(priority, "priority", maximum=1000),
    )
    if (
        await uow.session.execute(select(col(Location.id)).where(col(Location.code) == code))
    ).first():
        raise AlreadyExists("location", code, field=["code"])
    uow.session.add(location)
    await uow.session.flush()
    assert location.id is not None
    uow.record(LocationCreated(location_id=location.id, code=code, name=location.name, ships=ships))
    await uow.commit()
    return location


async def create_bin(
    uow: UnitOfWork,
    *,
    location_id: int,
    code: str,
    aisle: int = 0,
    bay: int = 0,
    level: int = 0,
    pick_sequence: int | None = None,
) -> Bin:
    code = validation.code(code, "code")
    if await uow.session.get(Location, location_id) is None:
        raise NotFound("location", location_id, field=["locationId"])
    duplicate = await uow.session.execute(
        select(col(Bin.id)).where(col(Bin.location_id) == location_id, col(Bin.code) == code)
    )
    if duplicate.first() is not None:
        raise AlreadyExists("bin", code, field=["code"])
    aisle = validation.non_negative(aisle, "aisle", maximum=9999)
    bay = validation.non_negative(bay, "bay", maximum=9999)
    level = validation.non_negative(level, "level", maximum=99)
    sequence = (
        validation.non_negative(pick_sequence, "pickSequence")
        if pick_sequence is not None
        else default_pick_sequence(aisle, bay, level)
    )
    bin_ = Bin(
        location_id=location_id,
        code=code,
        aisle=aisle,
        bay=bay,
        level=level,
        pick_sequence=sequence,
    )
    uow.session.add(bin_)
    await uow.session.flush()
    assert bin_.id is not None
    uow.record(
        BinCreated(bin_id=bin_.id, location_id=location_id, code=code, pick_sequence=sequence)
    )
    await uow.commit()
    return bin_


def default_pick_sequence(aisle: int, bay: int, level: int) -> int:
    """A serpentine walk: odd aisles are walked up the bays, even aisles back down."""
    walked_bay = bay if aisle % 2 == 1 else 9999 - bay
    return (aisle * 10_000 + walked_bay) * 100 + level
