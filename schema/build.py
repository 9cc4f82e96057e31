"""build_schema(): the root types, the extensions, and the types only reached through interfaces."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import ASTValidationRule, GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    ParserCache,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as alias_limit
from strawberry.extensions.query_depth_limiter import create_validator as depth_limit
from strawberry.schema.config import StrawberryConfig

from schema.bulk.resolvers import BulkMutations
from schema.catalog.resolvers import CatalogMutations, CatalogQueries
from schema.catalog.types import ProductType, SkuType
from schema.channels.resolvers import ChannelMutations, ChannelQueries
from schema.channels.types import ChannelType
from schema.cost import QueryCost
from schema.customers.resolvers import CustomerMutations, CustomerQueries
from schema.customers.types import CustomerType
from schema.errors import ERROR_TYPES
from schema.events.resolvers import EventQueries
from schema.events.subscriptions import Subscription
from schema.execution import SharedEventExecution, require_written_for_versions
from schema.extensions import MaskUnexpectedErrors
from schema.fulfilment.resolvers import FulfilmentMutations, FulfilmentQueries
from schema.fulfilment.types import PickListType, PickTaskType, ShipmentType
from schema.inventory.resolvers import InventoryMutations, InventoryQueries
from schema.inventory.types import InventoryLevelType, TransferType
from schema.kpis.resolvers import KpiQueries, ReportQueries
from schema.locations.resolvers import LocationMutations, LocationQueries
from schema.locations.types import BinType, LocationType
from schema.nodes import NodeQueries
from schema.notifications.resolvers import NotificationMutations, NotificationQueries
from schema.notifications.types import CustomerMessageType
from schema.orders.resolvers import OrderMutations, OrderQueries
from schema.orders.types import OrderType
from schema.planning.resolvers import PlanningMutations, PlanningQueries
from schema.purchasing.resolvers import PurchasingMutations, PurchasingQueries
from schema.purchasing.types import PurchaseOrderType, SupplierType
from schema.relations import resolve_directly
from schema.returns.resolvers import ReturnMutations, ReturnQueries
from schema.returns.types import RefundType, ReturnLineType, ReturnType
from schema.scalars import SCALARS
from schema.trusted import TrustedDocumentsCheck
from schema.users.resolvers import UserMutations, UserQueries
from schema.users.types import ApiKeyType, UserType
from schema.validation import OncePerRequest
from schema.visibility import CustomerView
from schema.webhooks.resolvers import WebhookMutations, WebhookQueries
from schema.websockets import CurrentCredentials

MAX_QUERY_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 2_000
# Built once: the validation cache keys on the rule classes, so a class made per request
# would make every request miss it and validate again.
LIMIT_RULES: list[type[ASTValidationRule]] = [
    depth_limit(MAX_QUERY_DEPTH, None),
    alias_limit(MAX_ALIASES),
    OncePerRequest,
]


@strawberry.type
class Query(
    NodeQueries,
    UserQueries,
    ChannelQueries,
    LocationQueries,
    CatalogQueries,
    InventoryQueries,
    PurchasingQueries,
    PlanningQueries,
    CustomerQueries,
    OrderQueries,
    FulfilmentQueries,
    ReturnQueries,
    NotificationQueries,
    EventQueries,
    WebhookQueries,
    KpiQueries,
    ReportQueries,
):
    pass


@strawberry.type
class Mutation(
    UserMutations,
    ChannelMutations,
    LocationMutations,
    CatalogMutations,
    InventoryMutations,
    PurchasingMutations,
    PlanningMutations,
    CustomerMutations,
    OrderMutations,
    FulfilmentMutations,
    ReturnMutations,
    NotificationMutations,
    WebhookMutations,
    BulkMutations,
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
    SupplierType,
    PurchaseOrderType,
    CustomerType,
    UserType,
    ApiKeyType,
    OrderType,
    ShipmentType,
    PickListType,
    PickTaskType,
    ReturnType,
    ReturnLineType,
    RefundType,
    CustomerMessageType,
]


class Schema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        """Client errors are the client's business; unexpected ones are logged by the masking."""


def build_schema(*, fast_execution: bool = True) -> strawberry.Schema:
    """The schema; with ``fast_execution``, executed on the fast path (``schema.execution``),
    which must then be on the library versions it was written for."""
    if fast_execution:
        require_written_for_versions()
    schema = Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[*NODE_IMPLEMENTATIONS, *ERROR_TYPES],
        extensions=[
            ParserCache,
            ValidationCache,
            TrustedDocumentsCheck,
            lambda: AddValidationRules(LIMIT_RULES),
            lambda: MaxTokensLimiter(MAX_TOKENS),
            CurrentCredentials,
            CustomerView,
            QueryCost,
            MaskUnexpectedErrors,
        ],
        config=StrawberryConfig(auto_camel_case=True, scalar_map=SCALARS),
        execution_context_class=SharedEventExecution if fast_execution else None,
    )
    if fast_execution:
        resolve_directly(schema)
    return schema
