from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlmodel import col

from api.locations.models import Bin, Location
from api.reads import Reader, load_by_key, load_groups


def locations_query(*, ships: bool | None = None) -> Select[Location]:
    statement = select(Location)
    if ships is not None:
        statement = statement.where(col(Location.ships) == ships)
    return statement


async def locations_by_id(reader: Reader, ids: Sequence[int]) -> list[Location | None]:
    return await load_by_key(reader, Location, col(Location.id), ids)


async def bins_by_id(reader: Reader, ids: Sequence[int]) -> list[Bin | None]:
    return await load_by_key(reader, Bin, col(Bin.id), ids)


async def bins_by_location_id(reader: Reader, ids: Sequence[int]) -> list[list[Bin]]:
    """Each location's bins in walking order."""
    return await load_groups(
        reader, Bin, col(Bin.location_id), ids, order_by=(col(Bin.pick_sequence), col(Bin.id))
    )
