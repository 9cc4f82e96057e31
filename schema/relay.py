"""Relay plumbing: opaque global IDs, the Node interface, cursor connections."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

import strawberry
from sqlalchemy import Select

from api.errors import InvalidId
from api.reads import PageRequest, count, paginate
from api.validation import whole_number
from schema.context import Info
from schema.errors import ClientError
from schema.relations import connection_nodes_selections, prefetch

NodeT = TypeVar("NodeT")


def encode_global_id(type_name: str, pk: int) -> strawberry.ID:
    return strawberry.ID(base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode())


def parse_global_id(value: str) -> tuple[str, int] | None:
    try:
        decoded = base64.urlsafe_b64decode(value.encode("ascii")).decode()
        type_name, _, pk = decoded.partition(":")
        number = whole_number(pk)
        if not type_name or number is None:
            return None
        return type_name, number
    except (binascii.Error, UnicodeError, ValueError):
        return None


def decode_id(value: str, type_name: str, field: str) -> int:
    """The primary key inside a global ID of the expected type, or an INVALID_ID userError."""
    parsed = parse_global_id(value)
    if parsed is None or parsed[0] != type_name:
        raise InvalidId(f"{field} is not a valid {type_name} ID", field=[field])
    return parsed[1]


def query_id(value: str, type_name: str, argument: str) -> int:
    """For query arguments: an ID that is malformed or of another type is a client error."""
    parsed = parse_global_id(value)
    if parsed is None or parsed[0] != type_name:
        raise ClientError(f"{argument} is not a valid {type_name} ID")
    return parsed[1]


@strawberry.interface(description="An object with a globally unique, opaque ID.")
class Node:
    id: strawberry.ID


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT


@strawberry.type
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: PageInfo
    _count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="Nodes in this connection, without cursors.")
    def nodes(self) -> list[NodeT]:
        return [edge.node for edge in self.edges]

    @strawberry.field(description="How many nodes match, across all pages.")
    async def total_count(self) -> int:
        return await self._count()


def _encode_cursor(pk: int) -> str:
    return base64.urlsafe_b64encode(f"cursor:{pk}".encode()).decode()


def _decode_cursor(value: str | None, argument: str) -> int | None:
    if value is None:
        return None
    try:
        prefix, _, pk = base64.urlsafe_b64decode(value.encode("ascii")).decode().partition(":")
    except (binascii.Error, UnicodeError, ValueError):
        prefix, pk = "", ""
    number = whole_number(pk)
    if prefix != "cursor" or number is None:
        raise ClientError(f"{argument} is not a valid cursor")
    return number


def page_request(
    info: Info, first: int | None, after: str | None, last: int | None, before: str | None
) -> PageRequest:
    limit = info.context.settings.page_size_max
    if first is not None and last is not None:
        raise ClientError("pass first or last, not both")
    for name, value in (("first", first), ("last", last)):
        if value is not None and not 0 <= value <= limit:
            raise ClientError(f"{name} must be between 0 and {limit}")
    return PageRequest(
        first=first,
        after=_decode_cursor(after, "after"),
        last=last,
        before=_decode_cursor(before, "before"),
    )


async def connection(
    info: Info,
    statement: Select[Any],
    key: Any,
    to_node: Callable[[Any], NodeT],
    *,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    descending: bool = False,
) -> Connection[NodeT]:
    """A page of ``statement`` ordered by ``key``, its selected relations loaded: one query, one
    more if totalCount is asked, one per relation the nodes select."""
    request = page_request(info, first, after, last, before)
    reads = info.context.reads
    async with reads.reader() as reader:
        page = await paginate(reader, statement, key, request, descending=descending)

    async def total() -> int:
        async with reads.reader() as reader:
            return await count(reader, statement)

    key_name = key.key
    edges = [
        Edge(cursor=_encode_cursor(getattr(row, key_name)), node=to_node(row)) for row in page.rows
    ]
    await prefetch(info, [edge.node for edge in edges], connection_nodes_selections(info))
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        _count=total,
    )
