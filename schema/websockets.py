"""Open WebSockets keep no more rights than their credentials: a connection authenticates once,
at connection_init, so each operation it starts authenticates its credential again, and every
authenticated connection of the process is watched: one whose token expires, whose token or
API key is revoked, or whose user is deactivated is closed (4403) within ``WATCH_SECONDS`` of
its process learning of it (at once where it was revoked, within ``REFRESH_SECONDS`` of
``api.users.sessions`` elsewhere)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from starlette.websockets import WebSocket, WebSocketState
from strawberry.extensions import SchemaExtension

from api.users.service import authenticate
from api.users.sessions import Revocations
from schema.context import Context
from schema.errors import Forbidden

WATCH_SECONDS = 1.0
CREDENTIALS_ENDED = 4403
log = logging.getLogger("oms.graphql")


async def close_for_credentials(websocket: WebSocket) -> None:
    with contextlib.suppress(RuntimeError):  # closed meanwhile by the client
        await websocket.close(CREDENTIALS_ENDED, "Credentials expired or revoked")


def _is_open(websocket: WebSocket) -> bool:
    return WebSocketState.DISCONNECTED not in (websocket.client_state, websocket.application_state)


class OpenConnections:
    """This process's authenticated WebSockets, by connection."""

    def __init__(self, revocations: Revocations) -> None:
        self._revocations = revocations
        self._contexts: dict[int, Context] = {}

    def add(self, context: Context) -> None:
        self._contexts[id(context.request)] = context

    def __len__(self) -> int:
        return len(self._contexts)

    async def close_ended(self) -> None:
        """Closes the connections whose credentials ended; forgets the closed ones."""
        for key, context in list(self._contexts.items()):
            websocket: WebSocket = context.request
            if not _is_open(websocket):
                del self._contexts[key]
            elif not self._revocations.still_valid(context.principal):
                del self._contexts[key]
                await close_for_credentials(websocket)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), WATCH_SECONDS)
            try:
                await self.close_ended()
            except Exception:  # the next round tries again
                log.exception("could not check open connections")


class CurrentCredentials(SchemaExtension):
    """Before each operation of an authenticated WebSocket: its credential, checked again."""

    async def on_execute(self) -> AsyncIterator[None]:
        context: Context = self.execution_context.context
        if context.credential is not None:
            principal = await authenticate(
                context.database, context.credential, secret_key=context.settings.secret_key
            )
            if not principal.is_authenticated:
                await close_for_credentials(context.request)
                raise Forbidden("The connection's credentials expired or were revoked")
            context.principal = principal
        yield
