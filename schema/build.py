"""build_schema(): the root types, the extensions, and the types only reached through interfaces."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaxAliasesLimiter, ParserCache, QueryDepthLimiter, ValidationCache
from strawberry.schema.config import StrawberryConfig

from schema.catalog.resolvers import CatalogMutations, CatalogQueries
from schema.catalog.types import ProductType, SkuType
from schema.channels.resolvers import ChannelMutations, ChannelQueries
from schema.channels.types import ChannelType
from schema.customers.resolvers import CustomerQueries
from schema.customers.types import CustomerType
from schema.errors import ERROR_TYPES
from schema.extensions import MaskUnexpectedErrors
from schema.inventory.resolvers import InventoryMutations, InventoryQueries
from schema.inventory.types import InventoryLevelType, TransferType
from schema.locations.resolvers import LocationMutations, LocationQueries
from schema.locations.types import BinType, LocationType
from schema.nodes import NodeQueries
from schema.users.resolvers import UserMutations, UserQueries
from schema.users.types import ApiKeyType, UserType

MAX_QUERY_DEPTH = 12
MAX_ALIASES = 30


@strawberry.type
class Query(
    NodeQueries,
    UserQueries,
    ChannelQueries,
    LocationQueries,
    CatalogQueries,
    InventoryQueries,
    CustomerQueries,
):
    pass


@strawberry.type
class Mutation(
    UserMutations,
    ChannelMutations,
    LocationMutations,
    CatalogMutations,
    InventoryMutations,
):
    pass


NODE_IMPLEMENTATIONS = [
    ChannelType,
    LocationType,
    BinType,
    ProductType,
    SkuType,
    InventoryLevelType,
    TransferType,
    CustomerType,
    UserType,
    ApiKeyType,
]


class Schema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        """Client errors are the client's business; unexpected ones are logged by the masking."""


def build_schema() -> strawberry.Schema:
    return Schema(
        query=Query,
        mutation=Mutation,
        types=[*NODE_IMPLEMENTATIONS, *ERROR_TYPES],
        extensions=[
            ParserCache,
            ValidationCache,
            lambda: QueryDepthLimiter(max_depth=MAX_QUERY_DEPTH),
            lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
            MaskUnexpectedErrors,
        ],
        config=StrawberryConfig(auto_camel_case=True),
    )
