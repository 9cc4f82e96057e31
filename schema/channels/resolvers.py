from __future__ import annotations

import strawberry

from api.auth import Permission
from api.channels import queries, service
from schema import fields
from schema.channels.types import ChannelType
from schema.context import Info
from schema.errors import UserError


@strawberry.type
class ChannelQueries:
    @fields.query(Permission.CATALOG_READ)
    async def channels(self, info: Info) -> list[ChannelType]:
        async with info.context.database.session() as session:
            rows = await queries.list_channels(session)
        return [ChannelType.from_row(row) for row in rows]


@strawberry.input
class CreateChannelInput:
    code: str
    name: str


@strawberry.type
class CreateChannelPayload:
    channel: ChannelType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ChannelMutations:
    @fields.mutation(Permission.SETTINGS_WRITE)
    async def create_channel(self, info: Info, input: CreateChannelInput) -> CreateChannelPayload:
        async with info.context.unit_of_work() as uow:
            channel = await service.create_channel(uow, code=input.code, name=input.name)
        return CreateChannelPayload(channel=ChannelType.from_row(channel))
