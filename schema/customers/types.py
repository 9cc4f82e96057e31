from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.auth import Permission
from api.customers.models import Customer, CustomerAddress
from schema.permissions import allow
from schema.relations import related
from schema.relay import Node, encode_global_id

if TYPE_CHECKING:
    from schema.orders.types import OrderType


@strawberry.type(name="CustomerAddress")
class CustomerAddressType:
    name: str
    line1: str
    line2: str | None
    city: str
    region: str | None
    postal_code: str
    country: str
    latitude: float | None
    longitude: float | None
    is_default: bool

    @classmethod
    def from_row(cls, row: CustomerAddress) -> CustomerAddressType:
        return cls(
            name=row.name,
            line1=row.line1,
            line2=row.line2,
            city=row.city,
            region=row.region,
            postal_code=row.postal_code,
            country=row.country,
            latitude=row.latitude,
            longitude=row.longitude,
            is_default=row.is_default,
        )


@strawberry.type(name="Customer")
class CustomerType(Node):
    pk: strawberry.Private[int]
    email: str
    name: str
    phone: str | None
    locale: str | None = strawberry.field(description="The language their mail is written in.")
    receives_surveys: bool = strawberry.field(
        description="False once they opted out of mail that is not about a transaction."
    )
    created_at: datetime

    recent_orders = related(
        "recent_orders_by_customer_id",
        "pk",
        list[Annotated["OrderType", strawberry.lazy("schema.orders.types")]],
        extensions=[allow(Permission.ORDERS_READ)],
        description="The customer's latest orders (up to 20), newest first; page through all "
        "of them with orders(filter: {customerEmail}).",
    )
    addresses = related("addresses_by_customer_id", "pk", list[CustomerAddressType])

    @classmethod
    def from_row(cls, row: Customer) -> CustomerType:
        assert row.id is not None
        return cls(
            id=encode_global_id("Customer", row.id),
            pk=row.id,
            email=row.email,
            name=row.name,
            phone=row.phone,
            locale=row.locale,
            receives_surveys=row.surveys_opted_out_at is None,
            created_at=row.created_at,
        )
