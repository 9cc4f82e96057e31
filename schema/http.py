"""The /graphql endpoint: GraphQL over HTTP (media types, status codes) and the request context."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData, process_result
from strawberry.schema import BaseSchema
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult

from api.auth import Principal, bearer_credential
from api.bodies import BodyTooLarge, body_limit
from api.db import Database
from api.events.feed import EventFeed
from api.payments.provider import PaymentProvider
from api.ratelimits import BURST_SECONDS, rate_limits_for
from api.reads import RequestReads
from api.settings import Settings
from api.shipping.carriers import CarrierAdapter
from api.users.service import authenticate
from api.users.sessions import revocations_of
from schema.context import Context
from schema.loaders import Loaders
from schema.trusted import TrustedDocuments
from schema.websockets import OpenConnections

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"
MULTIPART = "multipart/form-data"
HTML = "text/html"


def _media_ranges(accept: str) -> list[tuple[str, float]]:
    ranges = []
    for part in accept.split(","):
        media, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media and quality > 0:
            ranges.append((media.lower(), quality))
    return sorted(ranges, key=lambda item: -item[1])


def negotiate(accept: str | None, *, method: str) -> str | None:
    """The response media type for an Accept header; None when we can offer nothing acceptable."""
    if not accept:
        return JSON
    for media, _quality in _media_ranges(accept):
        if media in (GRAPHQL_RESPONSE_JSON, JSON):
            return media
        if media == HTML and method == "GET":
            return HTML
        if media in ("*/*", "application/*"):
            return JSON
    return None


def _is_request_error(result: ExecutionResult) -> bool:
    """Parse, validation and variable errors: nothing was executed, so there is no data."""
    errors = result.errors or []
    return result.data is None and bool(errors) and all(error.path is None for error in errors)


class MethodNotAllowed(HTTPException):
    def __init__(self, reason: str, allow: str) -> None:
        super().__init__(405, reason)
        self.allow = allow


class GraphQLView(GraphQL[Context, None]):
    def __init__(
        self,
        schema: BaseSchema,
        *,
        settings: Settings,
        database: Database,
        payments: PaymentProvider,
        carriers: Mapping[str, CarrierAdapter],
        feed: EventFeed | None = None,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql else None,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=timedelta(seconds=settings.ws_init_timeout_seconds),
            max_subscriptions_per_connection=settings.subscriptions_per_connection,
            multipart_uploads_enabled=True,
            # A browser page may open a WebSocket from the origins allowed to call the API
            # (the admin app); any other site's page is refused before the handshake.
            allowed_origins=settings.cors_origins,
        )
        self.settings = settings
        self.database = database
        self.payments = payments
        self.carriers = carriers
        self.feed = feed
        self.rate_limits = rate_limits_for(
            database, idle_seconds=max(settings.login_throttle_minutes * 60, BURST_SECONDS)
        )
        self.trusted_documents = TrustedDocuments.load(settings.trusted_documents)
        self.connections = OpenConnections(revocations_of(database))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        media_type = negotiate(request.headers.get("accept"), method=request.method)
        response: Response
        if media_type is None:
            response = self._error_response(
                406, f"Acceptable media types: {GRAPHQL_RESPONSE_JSON}, {JSON}", JSON
            )
        else:
            # Before the body is read: only an authenticated upload may be larger.
            principal = request.state.principal = await authenticate(
                self.database, _bearer(request), secret_key=self.settings.secret_key
            )
            response = await self._answer(request, media_type, principal)
        await response(scope, receive, send)

    async def _answer(self, request: Request, media_type: str, principal: Principal) -> Response:
        upload = self._content_type(request) == MULTIPART and principal.is_authenticated
        if request.method == "POST" and not (self._is_json_body(request) or upload):
            return self._error_response(
                415,
                f"Send the request body as {JSON} (or, to upload a file, as {MULTIPART} with "
                "valid credentials)",
                media_type,
            )
        limit = body_limit(request.scope)
        if upload:
            limit.bytes = self.settings.import_max_bytes + self.settings.max_request_bytes
        if limit.exceeded:
            return self._error_response(
                413, f"Request bodies are limited to {limit.bytes} bytes", media_type
            )
        request.state.media_type = media_type
        try:
            return await self.run(request)
        except BodyTooLarge as error:
            return self._error_response(413, str(error), media_type)
        except HTTPException as error:
            response = self._error_response(error.status_code, error.reason, media_type)
            if isinstance(error, MethodNotAllowed):
                response.headers["allow"] = error.allow
            return response
        finally:
            await request.close()  # an upload's spooled files

    @staticmethod
    def _content_type(request: Request) -> str:
        return request.headers.get("content-type", "").split(";")[0].strip().lower()

    def _is_json_body(self, request: Request) -> bool:
        return self._content_type(request) == JSON

    @staticmethod
    def _error_response(status: int, message: str, media_type: str) -> Response:
        media_type = media_type if media_type in (GRAPHQL_RESPONSE_JSON, JSON) else JSON
        return JSONResponse(
            {"errors": [{"message": message}]},
            status_code=status,
            media_type=f"{media_type}; charset=utf-8",
        )

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        try:
            return await super().execute_single(
                request, request_adapter, sub_response, context, root_value, request_data
            )
        except HTTPException as error:
            if isinstance(error.__cause__, InvalidOperationTypeError):
                raise MethodNotAllowed("Mutations must be sent with POST", "POST") from error
            raise

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        # A WebSocket's credentials come with connection_init (see ``on_ws_connect``); a
        # request's were checked before its body was read.
        principal = (
            Principal.anonymous() if isinstance(request, WebSocket) else request.state.principal
        )
        request_id = request.scope.get("state", {}).get("request_id") or uuid.uuid4().hex
        if isinstance(request, Request):
            request.state.sub_response = response
        reads = RequestReads(self.database)
        return Context(
            settings=self.settings,
            database=self.database,
            principal=principal,
            request_id=request_id,
            reads=reads,
            loaders=Loaders(reads),
            payments=self.payments,
            carriers=self.carriers,
            request=request,
            client_host=request.client.host if request.client else None,
            response=response,
            feed=self.feed,
            rate_limits=self.rate_limits,
            trusted_documents=self.trusted_documents,
        )

    async def on_ws_connect(self, context: Context) -> None:
        """Credentials in the connection_init payload: ``{"authorization": "Bearer <staff token
        or API key>"}``. None connects as a customer, who subscribes with a tracking token;
        credentials that are wrong refuse the connection (4403), and so do credentials that
        stop being valid while it is open (``OpenConnections``)."""
        params = context.connection_params or {}
        credential = params.get("authorization") or params.get("Authorization")
        if credential is None:
            return
        token = credential.removeprefix("Bearer ").strip() if isinstance(credential, str) else ""
        principal = await authenticate(self.database, token, secret_key=self.settings.secret_key)
        if not principal.is_authenticated:
            raise ConnectionRejectionError({"message": "Invalid credentials"})
        context.principal = principal
        context.credential = token
        self.connections.add(context)

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        data = process_result(result)
        throttled = request.state.sub_response.status_code == 429  # set by the query cost
        if (
            request.state.media_type == GRAPHQL_RESPONSE_JSON
            and _is_request_error(result)
            and not throttled
        ):
            request.state.sub_response.status_code = 400
            data.pop("data", None)
        request.state.sub_response.media_type = request.state.media_type
        return data

    def decode_json(self, data: str | bytes) -> object:
        # orjson refuses a number of thousands of digits as malformed JSON (400); the standard
        # library's parser raises a ValueError of its own that nothing answers but a 500.
        return orjson.loads(data)

    def encode_json(self, data: object) -> str:
        # A page of orders is tens of kilobytes of JSON: orjson encodes it several times faster
        # than the standard library. Text, not bytes: WebSocket messages must be text frames.
        return orjson.dumps(data).decode()

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        response = super().create_response(response_data, sub_response)
        media_type = getattr(sub_response, "media_type", None) or JSON
        response.headers["content-type"] = f"{media_type}; charset=utf-8"
        return response


def _bearer(request: Request | WebSocket) -> str | None:
    return bearer_credential(request.headers.get("authorization", ""))
