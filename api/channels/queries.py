from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from api.channels.models import Channel
from api.reads import load_by_key


async def list_channels(session: AsyncSession) -> Sequence[Channel]:
    return (await session.execute(select(Channel).order_by(col(Channel.id)))).scalars().all()


async def channels_by_id(session: AsyncSession, ids: Sequence[int]) -> list[Channel | None]:
    return await load_by_key(session, Channel, col(Channel.id), ids)


async def channel_by_code(session: AsyncSession, code: str) -> Channel | None:
    return (
        (await session.execute(select(Channel).where(col(Channel.code) == code))).scalars().first()
    )
