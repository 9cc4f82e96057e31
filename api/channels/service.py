from __future__ import annotations

from sqlalchemy import select
from sqlmodel import col

from api import validation
from api.channels.events import ChannelCreated
from api.channels.models import Channel
from api.db import UnitOfWork
from api.errors import AlreadyExists


async def create_channel(uow: UnitOfWork, *, code: str, name: str) -> Channel:
    code = validation.code(code, "code")
    name = validation.text(name, "name")
    existing = await uow.session.execute(select(col(Channel.id)).where(col(Channel.code) == code))
    if existing.first() is not None:
        raise AlreadyExists("channel", code, field=["code"])
    channel = Channel(code=code, name=name)
    uow.session.add(channel)
    await uow.session.flush()
    assert channel.id is not None
    uow.record(ChannelCreated(channel_id=channel.id, code=code, name=name))
    await uow.commit()
    return channel
