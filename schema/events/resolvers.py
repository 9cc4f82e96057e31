from __future__ import annotations

import strawberry

from api.auth import Permission
from api.errors import InvalidInput
from api.events.log import START, decode_position, read_log
from api.events.models import EventType
from schema import fields
from schema.context import Info
from schema.errors import ClientError
from schema.events.types import EventConnection, EventEdge, EventNode
from schema.relay import PageInfo


@strawberry.type
class EventQueries:
    @fields.query(
        Permission.EVENTS_READ,
        description="The replayable event log, oldest first: every committed change, in the "
        "order commits extend the log. Resume with `after` (any event's cursor or endCursor); "
        "nothing is skipped or repeated.",
    )
    async def events(
        self,
        info: Info,
        after: str | None = None,
        first: int | None = None,
        types: list[EventType] | None = None,
    ) -> EventConnection:
        limit = info.context.settings.page_size_max
        first = 100 if first is None else first
        if not 1 <= first <= limit:
            raise ClientError(f"first must be between 1 and {limit}")
        key = info.context.settings.secret_key
        try:
            position = decode_position(after, key) if after else START
        except InvalidInput as error:
            raise ClientError(error.message) from error
        async with info.context.reads.reader() as reader:
            rows = await read_log(reader, position, first + 1, [t.value for t in types or []])
        nodes = [EventNode.from_row(row) for row in rows[:first]]
        cursors = [node.position.encode(key) for node in nodes]
        return EventConnection(
            edges=[
                EventEdge(cursor=cursor, node=node)
                for cursor, node in zip(cursors, nodes, strict=True)
            ],
            page_info=PageInfo(
                has_next_page=len(rows) > first,
                has_previous_page=after is not None,
                start_cursor=cursors[0] if cursors else after,
                end_cursor=cursors[-1] if cursors else after,
            ),
        )
