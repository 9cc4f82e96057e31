"""Relation fields and lookahead prefetching.

GraphQL execution pays a coroutine, a task and a gather for every field whose value is
awaitable, and a page of 50 orders has hundreds of them (each order's customer and lines, each
line's SKU, each allocation's location). A relation field is declared with the DataLoader that
serves it; a page loads, level by level, the relations its query selects through those same
loaders before its fields execute, and a relation field whose value is already loaded returns it
as a plain value. The page then executes synchronously, with the same statements as before.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

import strawberry
from graphql import GraphQLObjectType, get_nullable_type, is_leaf_type
from strawberry.dataloader import DataLoader
from strawberry.extensions import FieldExtension
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection
from strawberry.utils.str_converters import to_camel_case

from schema.context import Info
from schema.execution import LEAF_ATTRIBUTES

T = TypeVar("T")
R = TypeVar("R")

RELATION = "oms.relation"


@dataclass(frozen=True)
class Relation:
    loader: str
    """The attribute of ``Loaders`` that loads it."""
    key: str
    """The attribute of the parent object that is the loader's key (None: no related object)."""
    loaded_as_is: bool = False
    """The field's value is what the loader loads, with no resolver of its own."""


def now_or_later(loading: Awaitable[T], then: Callable[[T], R] | None = None) -> Any:
    """The loaded value (passed through ``then``) when it is there, else an awaitable of it."""
    if isinstance(loading, asyncio.Future) and loading.done():
        value = loading.result()
        return then(value) if then else value
    if then is None:
        return loading

    async def later() -> R:
        return then(await loading)

    return later()


def _relation_resolver(relation: Relation) -> Callable[[Any, Info], Any]:
    """Serves both Strawberry (as the field's resolver) and graphql-core (see
    ``resolve_directly``): either's info carries the request context."""
    loader_name, key = relation.loader, relation.key

    def resolve(self: Any, info: Info) -> Any:
        value = getattr(self, key)
        if value is None:
            return None
        return now_or_later(getattr(info.context.loaders, loader_name).load(value))

    return resolve


def related(
    loader: str,
    key: str,
    graphql_type: Any,
    *,
    extensions: Sequence[FieldExtension] = (),
    description: str | None = None,
) -> Any:
    """A field holding the object(s) ``Loaders.<loader>`` loads for ``parent.<key>``."""
    relation = Relation(loader, key, loaded_as_is=True)
    return strawberry.field(
        resolver=_relation_resolver(relation),
        graphql_type=graphql_type,
        extensions=list(extensions),
        description=description,
        metadata={RELATION: relation},
    )


@cache
def relations_of(graphql_class: type) -> dict[str, Relation]:
    definition = getattr(graphql_class, "__strawberry_definition__", None)
    if definition is None:
        return {}
    return {
        field.graphql_name or to_camel_case(field.python_name): field.metadata[RELATION]
        for field in definition.fields
        if RELATION in (field.metadata or {})
    }


def _fields(selections: Iterable[Selection]) -> dict[str, list[Selection]]:
    """Sub-selections by field name, through fragments and across aliases."""
    merged: dict[str, list[Selection]] = {}
    for selection in selections:
        if isinstance(selection, SelectedField):
            merged.setdefault(selection.name, []).extend(selection.selections)
        elif isinstance(selection, (FragmentSpread, InlineFragment)):
            for name, children in _fields(selection.selections).items():
                merged.setdefault(name, []).extend(children)
    return merged


def _flatten(values: Iterable[Any]) -> list[Any]:
    seen: dict[int, Any] = {}
    for value in values:
        for item in value if isinstance(value, list) else [value]:
            if item is not None:
                seen.setdefault(id(item), item)
    return list(seen.values())


async def _fill(loader: DataLoader[Any, Any], keys: Iterable[Any]) -> None:
    """Runs ``loader``'s batch function once for the keys it has not seen, and primes its cache
    with the answers: a direct batch costs no future, callback or gather per key."""
    missing = [key for key in dict.fromkeys(keys) if loader.cache_map.get(key) is None]
    if missing:
        loader.prime_many(dict(zip(missing, await loader.load_fn(missing), strict=True)))


async def prefetch(info: Info, objects: Sequence[Any], selections: Sequence[Selection]) -> None:
    """Load, level by level, every relation of ``objects`` that ``selections`` reach: one batch
    per loader and level, the loaders of a level concurrently."""
    level: list[tuple[Sequence[Any], Sequence[Selection]]] = [(objects, selections)]
    while level:
        wanted: list[tuple[DataLoader[Any, Any], list[Any], list[Selection]]] = []
        for parents, parent_selections in level:
            by_class: dict[type, list[Any]] = {}
            for parent in parents:
                by_class.setdefault(type(parent), []).append(parent)
            fields = _fields(parent_selections)
            for graphql_class, group in by_class.items():
                for name, relation in relations_of(graphql_class).items():
                    if name in fields:
                        loader = getattr(info.context.loaders, relation.loader)
                        keys = [getattr(parent, relation.key) for parent in group]
                        wanted.append((loader, [k for k in keys if k is not None], fields[name]))
        keys_by_loader: dict[int, tuple[DataLoader[Any, Any], list[Any]]] = {}
        for loader, keys, _ in wanted:
            keys_by_loader.setdefault(id(loader), (loader, []))[1].extend(keys)
        await asyncio.gather(*(_fill(loader, keys) for loader, keys in keys_by_loader.values()))
        level = []
        for loader, keys, sub_selections in wanted:
            if sub_selections:
                values = []
                for key in keys:
                    loading = loader.load(key)
                    if isinstance(loading, asyncio.Future) and loading.done():
                        values.append(loading.result())
                    else:
                        values.append(await loading)
                children = _flatten(values)
                if children:
                    level.append((children, sub_selections))


def connection_nodes_selections(info: Info) -> list[Selection]:
    """What a connection field's query selects on its nodes (through edges.node and nodes)."""
    selected: list[Selection] = []
    for field in info.selected_fields:
        connection_fields = _fields(field.selections)
        selected.extend(connection_fields.get("nodes", []))
        selected.extend(_fields(connection_fields.get("edges", [])).get("node", []))
    return selected


def _attribute_resolver(name: str) -> Callable[[Any, Any], Any]:
    def resolve(source: Any, _info: Any) -> Any:
        return getattr(source, name)

    return resolve


def resolve_directly(schema: strawberry.Schema) -> None:
    """Fields that only read an attribute, and relation fields without extensions, resolve in
    graphql-core without Strawberry's per-call layers (its Info, argument parsing and extension
    chain): what they return is the same, at a fraction of the cost per field. Those that read a
    scalar or enum are also listed for ``schema.execution.LeafAttributeExecution``."""
    roots = ("Query", "Mutation", "Subscription")
    leaves: dict[tuple[str, str], tuple[str, Callable[[Any], Any]]] = {}
    for graphql_type in schema._schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType) or graphql_type.name in roots:
            continue
        for field_name, graphql_field in graphql_type.fields.items():
            field = (graphql_field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
            if not isinstance(field, StrawberryField) or field.extensions:
                continue
            relation = field.metadata.get(RELATION) if field.metadata else None
            if relation is not None and relation.loaded_as_is:
                graphql_field.resolve = _relation_resolver(relation)
            elif field.base_resolver is None:
                graphql_field.resolve = _attribute_resolver(field.python_name)
                value_type = get_nullable_type(graphql_field.type)
                if is_leaf_type(value_type) and not graphql_field.args:
                    leaves[graphql_type.name, field_name] = (
                        field.python_name,
                        value_type.coerce_output_value,
                    )
    schema._schema.extensions[LEAF_ATTRIBUTES] = leaves
