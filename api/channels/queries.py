from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from api.channels.models import Channel
from api.db import Database
from api.reads import Reader, load_by_key


async def list_channels(session: AsyncSession) -> Sequence[Channel]:
    return (await session.execute(select(Channel).order_by(col(Channel.id)))).scalars().all()


async def channels_by_id(reader: Reader, ids: Sequence[int]) -> list[Channel | None]:
    return await load_by_key(reader, Channel, col(Channel.id), ids)


async def channel_by_code(session: AsyncSession, code: str) -> Channel | None:
    return (
        (await session.execute(select(Channel).where(col(Channel.code) == code))).scalars().first()
    )


async def channel_id_by_code(database: Database, session: AsyncSession, code: str) -> int | None:
    """A channel's id; remembered per engine, since channels are never renamed or removed."""
    known = database.write_once.get(("channel", code))
    if known is not None:
        return int(known)
    channel = await channel_by_code(session, code)
    if channel is None:
        return None
    database.write_once[("channel", code)] = channel.id
    return channel.id
