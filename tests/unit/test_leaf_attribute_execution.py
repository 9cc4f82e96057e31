"""Scalar fields read straight off their object answer exactly as graphql-core's own path does."""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

import pytest
import strawberry
from strawberry.extensions import SchemaExtension

from schema.execution import LeafAttributeExecution
from schema.relations import resolve_directly


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Item:
    name: str
    colour: Colour
    note: str | None
    count: int


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item]:
        return ITEMS


ITEMS: list[Item] = []
QUERY = "{ items { name colour note count } }"


def schemas(extensions: list[type[SchemaExtension]] | None = None) -> list[strawberry.Schema]:
    """The schema as the API builds it, and the same schema with graphql-core's path only."""
    fast = strawberry.Schema(
        query=Query, execution_context_class=LeafAttributeExecution, extensions=extensions or []
    )
    resolve_directly(fast)
    return [fast, strawberry.Schema(query=Query, extensions=extensions or [])]


def counted_resolvers(schema: strawberry.Schema) -> list[str]:
    """Wraps the item fields' resolvers (see ``resolve_directly``) so that each call is
    recorded."""
    calls: list[str] = []
    fields = schema._schema.type_map["Item"].fields  # type: ignore[union-attr]

    def counting(name: str, resolve: Callable[..., Any]) -> Callable[..., Any]:
        def resolver(source: Any, info: Any, **arguments: Any) -> Any:
            calls.append(name)
            return resolve(source, info, **arguments)

        return resolver

    for name, field in fields.items():
        assert field.resolve is not None, "resolve_directly gave every item field a resolver"
        field.resolve = counting(name, field.resolve)
    return calls


@pytest.fixture(autouse=True)
def items() -> None:
    ITEMS[:] = [
        Item(name="kettle", colour=Colour.RED, note=None, count=2),
        Item(name="mug", colour=Colour.BLUE, note="chipped", count=5),
    ]


async def test_the_answer_is_the_one_graphql_core_gives_and_no_resolver_runs_for_it() -> None:
    fast, plain = schemas()
    calls = counted_resolvers(fast)
    answers = [await schema.execute(QUERY) for schema in (fast, plain)]
    assert answers[0].errors is None
    assert (
        answers[0].data
        == answers[1].data
        == {
            "items": [
                {"name": "kettle", "colour": "RED", "note": None, "count": 2},
                {"name": "mug", "colour": "BLUE", "note": "chipped", "count": 5},
            ]
        }
    )
    assert calls == ["note"], "only the null took graphql-core's path"


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ({"name": None}, "Cannot return null for non-nullable field Item.name."),
        ({"colour": "GREEN"}, "Enum 'Colour' cannot represent value: 'GREEN'"),
        ({"count": "many"}, "Int cannot represent non-integer value: 'many'"),
    ],
)
async def test_a_value_that_does_not_complete_is_reported_as_graphql_core_reports_it(
    broken: dict[str, Any], message: str
) -> None:
    for attribute, value in broken.items():
        setattr(ITEMS[1], attribute, value)
    fast, plain = schemas()
    answers = [await schema.execute(QUERY) for schema in (fast, plain)]
    assert answers[0].data == answers[1].data
    assert answers[0].errors and answers[1].errors
    assert [(e.message, e.path) for e in answers[0].errors] == [
        (e.message, e.path) for e in answers[1].errors
    ]
    assert answers[0].errors[0].message == message
    assert answers[0].errors[0].path is not None and answers[0].errors[0].path[:2] == ["items", 1]


class Shouting(SchemaExtension):
    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        value = _next(root, info, *args, **kwargs)
        return value.upper() if isinstance(value, str) else value


async def test_an_extension_that_wraps_resolvers_sees_every_field() -> None:
    fast, plain = schemas([Shouting])
    answers = [await schema.execute(QUERY) for schema in (fast, plain)]
    assert answers[0].data == answers[1].data
    assert answers[0].data is not None
    assert answers[0].data["items"][0]["name"] == "KETTLE"
