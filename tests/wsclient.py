"""A graphql-transport-ws client over the `websockets` package, for tests against a served app."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Origin

PROTOCOL = "graphql-transport-ws"


def ws_url(graphql_url: str) -> str:
    return graphql_url.replace("http://", "ws://", 1)


class GraphQLWebSocket:
    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self._next_id = 0

    async def send(self, message: dict[str, Any]) -> None:
        await self.connection.send(json.dumps(message))

    async def receive(self, within: float = 10) -> dict[str, Any]:
        return json.loads(await asyncio.wait_for(self.connection.recv(), within))

    async def init(self, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        await self.send({"type": "connection_init", "payload": payload or {}})
        return await self.receive()

    async def subscribe(
        self, query: str, variables: dict[str, Any] | None = None, id: str | None = None
    ) -> str:
        if id is None:
            self._next_id += 1
            id = str(self._next_id)
        await self.send(
            {"id": id, "type": "subscribe", "payload": {"query": query, "variables": variables}}
        )
        return id

    async def next_data(self, within: float = 10) -> dict[str, Any]:
        """The data of the next `next` message; fails on anything else."""
        message = await self.receive(within)
        assert message["type"] == "next", message
        assert "errors" not in message["payload"], message
        return dict(message["payload"]["data"])

    async def errors_of(self, id: str, within: float = 10) -> list[dict[str, Any]]:
        """The GraphQL errors that refused subscription ``id`` (as an `error` message, or a
        `next` message carrying errors)."""
        while True:
            message = await self.receive(within)
            if message.get("id") != id or message["type"] == "complete":
                continue
            if message["type"] == "error":
                return list(message["payload"])
            assert message["payload"].get("errors"), message
            return list(message["payload"]["errors"])

    async def closed_with(self, within: float = 10) -> int | None:
        """Waits for the server to close the connection; its close code."""
        try:
            while True:
                await asyncio.wait_for(self.connection.recv(), within)
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else None


@asynccontextmanager
async def graphql_ws(
    graphql_url: str,
    init: dict[str, Any] | None = None,
    *,
    acknowledge: bool = True,
    origin: str | None = None,
) -> AsyncIterator[GraphQLWebSocket]:
    """A connection to ``graphql_url`` speaking graphql-transport-ws, acknowledged with the
    ``init`` payload unless ``acknowledge`` is False; ``origin`` as a browser page sends it."""
    async with connect(
        ws_url(graphql_url),
        subprotocols=[PROTOCOL],  # type: ignore[list-item]
        origin=Origin(origin) if origin else None,
    ) as connection:
        client = GraphQLWebSocket(connection)
        if acknowledge:
            answer = await client.init(init)
            assert answer["type"] == "connection_ack", answer
        yield client
