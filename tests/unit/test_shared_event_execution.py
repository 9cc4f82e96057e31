"""One subscription event executed once for the subscribers that would get the same answer."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass

import strawberry
from strawberry.extensions import ParserCache

from schema.execution import SharedEventExecution, shared_payload


@strawberry.type
class Payload:
    number: int

    @strawberry.field
    def secret(self, info: strawberry.Info) -> str | None:
        info.context.executions.append(self.number)
        return "visible" if "read" in info.context.principal.permissions else None


def shared_event() -> Payload:
    return shared_payload(Payload(number=7))


EVENT = shared_event()


@strawberry.type
class Query:
    ping: str = "pong"


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def numbers(self, info: strawberry.Info) -> AsyncGenerator[Payload, None]:
        yield EVENT
        yield Payload(number=8)  # not marked shared: executed for each subscriber


@dataclass(frozen=True)
class Principal:
    permissions: frozenset[str]


@dataclass
class Context:
    principal: Principal
    executions: list[int]


schema = strawberry.Schema(
    query=Query,
    subscription=Subscription,
    execution_context_class=SharedEventExecution,
    extensions=[ParserCache],  # as the API's schema: one document per query text
)


async def results(
    context: Context, query: str = "subscription { numbers { number secret } }"
) -> list[object]:
    stream = await schema.subscribe(query, context_value=context)
    return [result.data async for result in stream]  # type: ignore[union-attr]


async def test_subscribers_with_the_same_operation_and_permissions_share_one_execution() -> None:
    executions: list[int] = []
    reader = Principal(frozenset({"read"}))
    first = await results(Context(reader, executions))
    second = await results(Context(reader, executions))
    assert (
        first
        == second
        == [
            {"numbers": {"number": 7, "secret": "visible"}},
            {"numbers": {"number": 8, "secret": "visible"}},
        ]
    )
    assert executions == [7, 8, 8], "the shared event ran once, the other one per subscriber"


async def test_other_permissions_or_selections_execute_on_their_own() -> None:
    executions: list[int] = []
    outsider = await results(Context(Principal(frozenset()), executions))
    assert outsider[0] == {"numbers": {"number": 7, "secret": None}}
    narrow = await results(
        Context(Principal(frozenset()), executions), "subscription { numbers { number } }"
    )
    assert narrow[0] == {"numbers": {"number": 7}}
    assert executions == [7, 8], "the narrower selection read no secret"
