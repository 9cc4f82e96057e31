from __future__ import annotations

from datetime import datetime

import strawberry

from api.channels.models import Channel
from schema.relay import Node, encode_global_id


@strawberry.type(name="Channel", description="Where orders come from: web, marketplace, POS...")
class ChannelType(Node):
    pk: strawberry.Private[int]
    code: str
    name: str
    created_at: datetime

    @classmethod
    def from_row(cls, row: Channel) -> ChannelType:
        assert row.id is not None
        return cls(
            id=encode_global_id("Channel", row.id),
            pk=row.id,
            code=row.code,
            name=row.name,
            created_at=row.created_at,
        )
