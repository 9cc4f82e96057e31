from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from api import validation
from api.customers.events import CustomerCreated, CustomerPreferencesChanged
from api.customers.facts import SurveysRefused
from api.customers.models import Customer, CustomerAddress
from api.db import UnitOfWork
from api.dbtypes import utcnow
from api.errors import NotFound
from api.events import reactions
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
        index_elements=["email"],
        set_={
            "email": statement.excluded.email,
            # A locale given with a new order is the customer's latest word on it.
            "locale": func.coalesce(statement.excluded.locale, table.c.locale),
        },
    ).returning(table.c.id, table.c.created_at)


@dataclass(frozen=True)
class LinkedCustomer:
    id: int
    created: bool


async def link_customer(
    uow: UnitOfWork,
    *,
    email: str,
    name: str,
    phone: str | None = None,
    locale: str | None = None,
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
            "locale": validation.locale(locale, "customer.locale"),
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


async def set_preferences(
    uow: UnitOfWork,
    *,
    customer_id: int,
    receives_surveys: bool | None = None,
    locale: str | None = None,
) -> Customer:
    """What mail a customer receives, and in which language (None: as it was). Commits."""
    customer = (
        await uow.session.execute(
            select(Customer).where(Customer.id == customer_id).with_for_update()  # type: ignore[arg-type]
        )
    ).scalar_one_or_none()
    if customer is None:
        raise NotFound("customer", customer_id, field=["customerId"])
    if receives_surveys is not None:
        opted_out = customer.surveys_opted_out_at is not None
        if receives_surveys == opted_out:
            customer.surveys_opted_out_at = None if receives_surveys else utcnow()
        if not receives_surveys:
            await reactions.announce(uow, SurveysRefused(customer_id))
    if locale is not None:
        customer.locale = validation.locale(locale, "locale")
    uow.record(
        CustomerPreferencesChanged(
            customer_id=customer_id,
            receives_surveys=customer.surveys_opted_out_at is None,
            locale=customer.locale,
        )
    )
    await uow.commit()
    return customer
