from __future__ import annotations

import strawberry
from sqlmodel import col

from api.auth import Permission
from api.customers import queries, service
from api.customers.models import Customer
from schema import fields
from schema.context import Info
from schema.customers.types import CustomerType
from schema.errors import UserError
from schema.relay import Connection, connection, decode_id


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


@strawberry.input
class SetCustomerPreferencesInput:
    customer_id: strawberry.ID
    receives_surveys: bool | None = strawberry.field(
        default=None, description="False: no survey after delivery (order mail still comes)."
    )
    locale: str | None = strawberry.field(
        default=None, description="The language their mail is written in (de, en-GB)."
    )


@strawberry.type
class SetCustomerPreferencesPayload:
    customer: CustomerType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CustomerMutations:
    @fields.mutation(
        Permission.CUSTOMERS_READ,
        Permission.ORDERS_WRITE,
        description="What mail a customer receives and in which language, as they asked.",
    )
    async def set_customer_preferences(
        self, info: Info, input: SetCustomerPreferencesInput
    ) -> SetCustomerPreferencesPayload:
        customer_id = decode_id(input.customer_id, "Customer", "customerId")
        async with info.context.unit_of_work() as uow:
            customer = await service.set_preferences(
                uow,
                customer_id=customer_id,
                receives_surveys=input.receives_surveys,
                locale=input.locale,
            )
        return SetCustomerPreferencesPayload(customer=CustomerType.from_row(customer))
