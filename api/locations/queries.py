from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from api.locations.models import Bin, Location
from api.reads import load_by_key, load_groups


def locations_query(*, ships: bool | None = None) -> Select[Location]:
    statement = select(Location)
    if ships is not None:
        statement = statement.where(col(Location.ships) == ships)
    return statement


async def locations_by_id(session: AsyncSession, ids: Sequence[int]) -> list[Location | None]:
    return await load_by_key(session, Location, col(Location.id), ids)


async def bins_by_id(session: AsyncSession, ids: Sequence[int]) -> list[Bin | None]:
    return await load_by_key(session, Bin, col(Bin.id), ids)


async def bins_by_location_id(session: AsyncSession, ids: Sequence[int]) -> list[list[Bin]]:
    """Each location's bins in walking order."""
    return await load_groups(
        session, Bin, col(Bin.location_id), ids, order_by=(col(Bin.pick_sequence), col(Bin.id))
    )
