"""Lookahead prefetching: relations a query selects are loaded before fields execute."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import strawberry
from strawberry.dataloader import DataLoader

from schema.relations import prefetch, related


@dataclass
class Recorder:
    prefetched: bool = False
    batches: list[tuple[str, list[int], bool]] = field(default_factory=list)

    def loader(self, name: str, load: Any) -> DataLoader[int, Any]:
        async def batch(keys: list[int]) -> list[Any]:
            self.batches.append((name, sorted(keys), self.prefetched))
            return [load(key) for key in keys]

        return DataLoader(load_fn=batch)


@strawberry.type
class Country:
    code: str


@strawberry.type
class City:
    name: str
    country_id: strawberry.Private[int]
    country = related("country_by_id", "country_id", Country)


@strawberry.type
class Shop:
    name: str
    city_id: strawberry.Private[int | None]
    pk: strawberry.Private[int]
    city = related("city_by_id", "city_id", City | None)
    neighbours = related("neighbours_by_shop_id", "pk", list["Shop"])


SHOPS = {1: ("North", 10), 2: ("South", 11), 3: ("Nowhere", None)}
CITIES = {10: ("Oslo", 100), 11: ("Bergen", 100), 12: ("Trondheim", 100)}


@strawberry.type
class Query:
    @strawberry.field
    async def shops(self, info: strawberry.Info) -> list[Shop]:
        shops = [Shop(name=name, city_id=city, pk=pk) for pk, (name, city) in SHOPS.items()]
        await prefetch(info, shops, info.selected_fields[0].selections)
        info.context.recorder.prefetched = True
        return shops


@dataclass
class Context:
    recorder: Recorder
    loaders: Any


def context() -> Context:
    recorder = Recorder()
    loaders = SimpleNamespace(
        city_by_id=recorder.loader(
            "city", lambda pk: City(name=CITIES[pk][0], country_id=CITIES[pk][1])
        ),
        country_by_id=recorder.loader("country", lambda pk: Country(code="NO")),
        neighbours_by_shop_id=recorder.loader(
            "neighbours", lambda pk: [Shop(name=f"next to {pk}", city_id=12, pk=pk + 10)]
        ),
    )
    return Context(recorder=recorder, loaders=loaders)


SCHEMA = strawberry.Schema(query=Query)


async def test_selected_relations_are_loaded_before_fields_execute_level_by_level() -> None:
    query = """fragment Place on Shop { city { name country { code } } }
      { shops { name ...Place other: neighbours { name ... on Shop { city { name } } } } }"""
    state = context()
    result = await SCHEMA.execute(query, context_value=state)
    assert result.errors is None
    assert result.data is not None
    assert [shop["city"] and shop["city"]["country"]["code"] for shop in result.data["shops"]] == [
        "NO",
        "NO",
        None,
    ]
    assert result.data["shops"][0]["other"] == [
        {"name": "next to 1", "city": {"name": "Trondheim"}}
    ]
    # one batch per relation and level, every one of them before execution began
    assert state.recorder.batches == [
        ("city", [10, 11], False),
        ("neighbours", [1, 2, 3], False),
        ("country", [100], False),
        ("city", [12], False),
    ]


async def test_relations_the_query_does_not_select_are_not_loaded() -> None:
    state = context()
    result = await SCHEMA.execute("{ shops { name } }", context_value=state)
    assert result.errors is None
    assert state.recorder.batches == []
