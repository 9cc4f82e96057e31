from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import col

from api import validation
from api.customers.models import Customer, CustomerAddress
from api.db import UnitOfWork
from api.events.models import EventType


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


async def find_or_create_customer(
    uow: UnitOfWork, *, email: str, name: str, phone: str | None = None
) -> Customer:
    """The customer with this email, created on first sight. Does not commit: part of a command."""
    email = validation.email(email)
    name = validation.text(name, "customer.name")
    existing = (
        (await uow.session.execute(select(Customer).where(col(Customer.email) == email)))
        .scalars()
        .first()
    )
    if existing is not None:
        return existing
    customer = Customer(
        email=email,
        name=name,
        phone=validation.optional_text(phone, "customer.phone", max_length=32),
    )
    uow.session.add(customer)
    await uow.session.flush()
    assert customer.id is not None
    uow.add_event(
        EventType.CUSTOMER_CREATED,
        aggregate_type="customer",
        aggregate_id=customer.id,
        payload={"email": email},
    )
    return customer


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
