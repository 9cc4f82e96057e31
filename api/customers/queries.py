from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, func, or_, select
from sqlmodel import col

from api.customers.models import Customer, CustomerAddress
from api.reads import Reader, load_by_key, load_groups


def customers_query(*, search: str | None = None) -> Select[Customer]:
    statement = select(Customer)
    if search:
        needle = search.strip().lower().replace("%", r"\%").replace("_", r"\_")
        statement = statement.where(
            or_(
                func.lower(col(Customer.email)).like(f"{needle}%", escape="\\"),
                func.lower(col(Customer.name)).like(f"%{needle}%", escape="\\"),
            )
        )
    return statement


async def customers_by_id(reader: Reader, ids: Sequence[int]) -> list[Customer | None]:
    return await load_by_key(reader, Customer, col(Customer.id), ids)


async def addresses_by_customer_id(
    reader: Reader, ids: Sequence[int]
) -> list[list[CustomerAddress]]:
    return await load_groups(
        reader,
        CustomerAddress,
        col(CustomerAddress.customer_id),
        ids,
        order_by=col(CustomerAddress.id),
    )
