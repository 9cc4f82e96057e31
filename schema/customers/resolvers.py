from __future__ import annotations

import strawberry
from sqlmodel import col

from api.auth import Permission
from api.customers import queries
from api.customers.models import Customer
from schema import fields
from schema.context import Info
from schema.customers.types import CustomerType
from schema.relay import Connection, connection


@strawberry.type
class CustomerQueries:
    @fields.query(
        Permission.CUSTOMERS_READ,
        description="Customers whose email starts with, or whose name contains, `query`.",
    )
    async def customers(
        self,
        info: Info,
        query: str | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[CustomerType]:
        return await connection(
            info,
            queries.customers_query(search=query),
            col(Customer.id),
            CustomerType.from_row,
            first=first,
            after=after,
            last=last,
            before=before,
        )
