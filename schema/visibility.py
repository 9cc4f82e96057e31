"""What a caller without credentials may read: a customer holding an order's tracking token
sees what a customer should (the order's status, its lines by name, quantity and price, its
shipments and their tracking, its returns and refunds, the address it ships to) and nothing of
the business behind it (unit costs, locations and bins, the customer's address book and
phone, who did what, the raw event data).

The rule is a list of the fields open to such callers, checked before execution against every
field the operation selects (through fragments, on any type, in queries, mutations and
subscriptions alike): anything else needs credentials. Root fields decide for themselves: those
that need a permission refuse such callers on their own, and what is beneath the others
(``orderByTrackingToken``, ``requestReturn``, ``orderUpdated``...) is checked here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from graphql import (
    FieldNode,
    GraphQLError,
    GraphQLField,
    GraphQLSchema,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_named_type,
    visit,
)
from strawberry.extensions import SchemaExtension
from strawberry.permission import PermissionExtension
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from schema.errors import ERROR_TYPES
from schema.permissions import HasPermission

CUSTOMER_FIELDS: dict[str, frozenset[str]] = {
    name: frozenset(fields.split())
    for name, fields in {
        "Order": "id number status paymentStatus fulfillmentStatus email totals shippingAddress "
        "shippingSpeed placedAt promisedAt cancelledAt updatedAt lines shipments returns "
        "refunds feedback returnStatus",
        "OrderLine": "id quantity unitPrice quantityAllocated quantityBackordered "
        "quantityFulfilled quantityCancelled quantityReturned backorderPromisedAt sku",
        "Sku": "id code name price product",
        "Product": "id name description",
        "OrderTotals": "subtotal shipping tax total",
        "Money": "amount currency",
        "ShippingAddressView": "name line1 line2 city region postalCode country latitude longitude",
        "Shipment": "id status carrier service trackingNumber estimatedDeliveryAt createdAt "
        "packedAt shippedAt deliveredAt order lines trackingEvents",
        "ShipmentLine": "quantity sku orderLineId",
        "TrackingEvent": "status occurredAt description",
        "Return": "id status resolution rejectReason createdAt decidedAt receivedAt order lines "
        "refunds exchangeOrders labelUrl",
        "ReturnLine": "id quantity reason quantityReceived sku orderLineId",
        "Refund": "id amount restockingFee includesShipping createdAt",
        "Feedback": "rating comment createdAt",
        "OrderUpdate": "order event",
        "Event": "id cursor type occurredAt orderId",
        "Node": "id",
        "ReturnPayload": "return userErrors",
        "SubmitFeedbackPayload": "feedback userErrors",
        "LoginPayload": "token expiresAt user userErrors",
        # The caller itself: null without credentials, yet a client asks the same question.
        "Viewer": "kind permissions user apiKey",
        "User": "id email name role",
        "ApiKey": "id name prefix scopes",
    }.items()
}
"""Per type, the fields open to callers without credentials."""


def _open_to_anyone(schema: GraphQLSchema) -> dict[str, frozenset[str]]:
    """The customer fields, and every field of the errors a mutation can answer with."""
    errors = {"UserError", *(error.__strawberry_definition__.name for error in ERROR_TYPES)}
    every_field = {name: frozenset(schema.get_type(name).fields) for name in errors}  # type: ignore[union-attr]
    return {**CUSTOMER_FIELDS, **every_field}


def _needs_permission(field: GraphQLField) -> bool:
    definition = field.extensions.get("strawberry-definition")
    return any(
        isinstance(check, HasPermission)
        for extension in getattr(definition, "extensions", ())
        if isinstance(extension, PermissionExtension)
        for check in extension.permissions
    )


def fields_needing_credentials(schema: GraphQLSchema, document: object) -> list[str]:
    """``Type.field`` for each field the document selects that is not open to anyone, beneath
    the root fields open to anyone (and in every fragment)."""
    open_fields = _open_to_anyone(schema)
    roots = {root.name for root in (schema.query_type, schema.mutation_type,
                                    schema.subscription_type) if root}  # fmt: skip
    closed: list[str] = []
    type_info = TypeInfo(schema)

    class Collect(Visitor):
        checking = True

        def enter_operation_definition(self, *_: object) -> None:
            self.checking = True

        def enter_fragment_definition(self, *_: object) -> None:
            self.checking = True  # wherever it is spread

        def enter_field(self, node: FieldNode, *_: object) -> None:
            parent = type_info.get_parent_type()
            name = node.name.value
            if parent is None or name.startswith("__"):
                return
            parent_name = get_named_type(parent).name
            if parent_name in roots:
                field = type_info.get_field_def()
                self.checking = field is None or not _needs_permission(field)
                return
            if parent_name.startswith("__") or not self.checking:
                return
            if name not in open_fields.get(parent_name, frozenset()):
                closed.append(f"{parent_name}.{name}")

    visit(document, TypeInfoVisitor(type_info, Collect()))  # type: ignore[arg-type]
    return sorted(set(closed))


class CustomerView(SchemaExtension):
    """Refuses, before execution, an operation of a caller without credentials that selects
    a field not open to it (UNAUTHENTICATED, naming the fields)."""

    _checked: dict[str, list[str]] = {}
    """Per document text: documents are few, and checking one walks all of it."""

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context.context
        document = self.execution_context.graphql_document
        query = self.execution_context.query
        if context.principal.is_authenticated or document is None or query is None:
            yield
            return
        closed = self._checked.get(query)
        if closed is None:
            if len(self._checked) >= 1_000:
                self._checked.clear()
            closed = self._checked[query] = fields_needing_credentials(
                self.execution_context.schema._schema, document
            )
        if closed:
            refusal = GraphQLError(
                f"{', '.join(closed[:10])} need credentials: a tracking token shows an order "
                "as its customer sees it",
                extensions={"code": "UNAUTHENTICATED"},
            )
            if self.execution_context.operation_type is OperationType.SUBSCRIPTION:
                raise refusal
            self.execution_context.result = ExecutionResult(data=None, errors=[refusal])
        yield
