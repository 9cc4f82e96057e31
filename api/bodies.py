"""Every HTTP request body is bounded before it is read, whatever the endpoint: by default at
``OMS_MAX_REQUEST_BYTES``. An endpoint may lower its own limit (a carrier's report is small),
or raise it for a caller it has authenticated first (a file upload), never for anyone else.
A body that declares more, or grows past the limit while it arrives (chunked), is refused
with 413 and read no further."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.validation import whole_number


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"Request bodies are limited to {limit} bytes")
        self.limit = limit


@dataclass
class BodyLimit:
    bytes: int
    declared: int | None
    """The request's Content-Length, when it gave one."""

    @property
    def exceeded(self) -> bool:
        return self.declared is not None and self.declared > self.bytes


def body_limit(scope: Scope) -> BodyLimit:
    """The limit of the request's body, which its endpoint may change before reading it."""
    limit: BodyLimit = scope["state"]["body_limit"]
    return limit


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return whole_number(value.decode("latin-1"))
    return None


class BoundedBodies:
    def __init__(self, app: ASGIApp, default_bytes: int) -> None:
        self.app = app
        self.default_bytes = default_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = BodyLimit(self.default_bytes, _declared_length(scope))
        scope.setdefault("state", {})["body_limit"] = limit
        received = 0
        started = False

        async def bounded() -> Message:
            nonlocal received
            if limit.exceeded:
                raise BodyTooLarge(limit.bytes)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit.bytes:
                    raise BodyTooLarge(limit.bytes)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, bounded, watched)
        except BodyTooLarge as refused:
            if started:
                raise
            await JSONResponse({"error": str(refused)}, status_code=413)(scope, receive, send)
