from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from api import validation
from api.customers.events import CustomerCreated
from api.customers.models import Customer, CustomerAddress
from api.db import UnitOfWork
from api.dbtypes import utcnow
from api.reads import columns


@dataclass(frozen=True)
class AddressInput:
    name: str
    line1: str
    city: str
    postal_code: str
    country: str
    line2: str | None = None
    region: str | None = None
    latitude: float | None = None
    longitude: float | None = None


@cache
def _link_statement(sqlite: bool) -> Any:
    table = columns(Customer).email.table
    statement = (sqlite_insert if sqlite else postgresql_insert)(table)
    # Setting the key to itself makes RETURNING answer for an existing row too.
    return statement.on_conflict_do_update(
        index_elements=["email"], set_={"email": statement.excluded.email}
    ).returning(table.c.id, table.c.created_at)


@dataclass(frozen=True)
class LinkedCustomer:
    id: int
    created: bool


async def link_customer(
    uow: UnitOfWork, *, email: str, name: str, phone: str | None = None
) -> LinkedCustomer:
    """The customer with this email, created on first sight, in one statement; an existing
    record keeps its name. Does not commit: part of a command."""
    email = validation.email(email, "customer.email")
    now = utcnow()
    linked = await uow.session.execute(
        _link_statement(uow.database.is_sqlite),
        {
            "email": email,
            "name": validation.text(name, "customer.name"),
            "phone": validation.optional_text(phone, "customer.phone", max_length=32),
            "created_at": now,
        },
    )
    customer_id, created_at = linked.one()
    assert customer_id is not None
    created = created_at == now
    if created:
        uow.record(CustomerCreated(customer_id=customer_id, email=email))
    return LinkedCustomer(customer_id, created)


async def add_address(
    uow: UnitOfWork, *, customer_id: int, address: AddressInput, is_default: bool = False
) -> CustomerAddress:
    """Records an address for a customer. Does not commit: part of a command."""
    latitude, longitude = address.latitude, address.longitude
    if latitude is not None and longitude is not None:
        validation.coordinates(latitude, longitude)
    row = CustomerAddress(
        customer_id=customer_id,
        name=validation.text(address.name, "address.name"),
        **validation.postal_address(address),
        latitude=latitude,
        longitude=longitude,
        is_default=is_default,
    )
    uow.session.add(row)
    await uow.session.flush()
    return row
