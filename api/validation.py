"""Input checks shared by services. Each failure is an InvalidInput naming the field."""

from __future__ import annotations

import re
from typing import Protocol, TypedDict

from api.errors import InvalidInput

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
COUNTRY_PATTERN = re.compile(r"^[A-Z]{2}$")
LOCALE_PATTERN = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$")
MAX_QUANTITY = 1_000_000


def whole_number(text: str, max_digits: int = 18) -> int | None:
    """``text`` as a whole number when it is 1 to ``max_digits`` ASCII digits, else None.
    (``str.isdigit`` accepts "²" and other digits that ``int`` refuses, and ``int`` refuses a
    number of thousands of digits: neither may reach it from outside.)"""
    if 0 < len(text) <= max_digits and text.isascii() and text.isdigit():
        return int(text)
    return None


def code(value: str, field: str) -> str:
    value = value.strip()
    if not CODE_PATTERN.fullmatch(value):
        raise InvalidInput(
            f"{field} must be 1-64 letters, digits, '.', '_' or '-', starting with a letter/digit",
            field=[field],
        )
    return value


def text(value: str, field: str, *, max_length: int = 200, required: bool = True) -> str:
    value = value.strip()
    if required and not value:
        raise InvalidInput(f"{field} must not be blank", field=[field])
    if len(value) > max_length:
        raise InvalidInput(f"{field} must be at most {max_length} characters", field=[field])
    return value


def optional_text(value: str | None, field: str, *, max_length: int = 200) -> str | None:
    if value is None:
        return None
    return text(value, field, max_length=max_length, required=False) or None


def email(value: str, field: str = "email") -> str:
    value = value.strip().lower()
    if len(value) > 254 or not EMAIL_PATTERN.fullmatch(value):
        raise InvalidInput(f"{field} is not a valid email address", field=[field])
    return value


def country(value: str, field: str = "country") -> str:
    value = value.strip().upper()
    if not COUNTRY_PATTERN.fullmatch(value):
        raise InvalidInput(f"{field} must be an ISO 3166-1 alpha-2 code", field=[field])
    return value


def locale(value: str | None, field: str = "locale") -> str | None:
    """A language tag (``de``, ``en-GB``), its language in lower case; None when blank."""
    if value is None or not value.strip():
        return None
    tag = value.strip().replace("_", "-")
    if len(tag) > 16 or not LOCALE_PATTERN.fullmatch(tag):
        raise InvalidInput("a language tag such as de or en-GB", field=[field])
    language, *rest = tag.split("-")
    return "-".join([language.lower(), *rest])


def currency(value: str, field: str = "currency") -> str:
    value = value.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", value):
        raise InvalidInput(f"{field} must be an ISO 4217 code", field=[field])
    return value


def positive_quantity(value: int, field: str = "quantity") -> int:
    if not 1 <= value <= MAX_QUANTITY:
        raise InvalidInput(f"{field} must be between 1 and {MAX_QUANTITY}", field=[field])
    return value


MAX_MONEY = 2**53
"""The largest amount of money, in minor units, anything accepts: what every JSON client reads
exactly."""


def money(value: int, field: str, *, minimum: int = 1, maximum: int = MAX_MONEY) -> int:
    """An amount of money in minor units: ``minimum`` (1 unless zero is allowed) to
    ``maximum``. Not a quantity: a refund of 150.00 is 15000 minor units."""
    if not minimum <= value <= maximum:
        raise InvalidInput(
            f"{field} must be an amount of {minimum} to {maximum} minor units", field=[field]
        )
    return value


def non_negative(value: int, field: str, *, maximum: int = 2**31 - 1) -> int:
    if not 0 <= value <= maximum:
        raise InvalidInput(f"{field} must be between 0 and {maximum}", field=[field])
    return value


def in_range(value: int, field: str, low: int, high: int) -> int:
    if not low <= value <= high:
        raise InvalidInput(f"{field} is {low} to {high}", field=[field])
    return value


class PostalFields(Protocol):
    @property
    def line1(self) -> str: ...
    @property
    def line2(self) -> str | None: ...
    @property
    def city(self) -> str: ...
    @property
    def region(self) -> str | None: ...
    @property
    def postal_code(self) -> str: ...
    @property
    def country(self) -> str: ...


class PostalColumns(TypedDict):
    line1: str
    line2: str | None
    city: str
    region: str | None
    postal_code: str
    country: str


def postal_address(address: PostalFields, prefix: str = "address") -> PostalColumns:
    """The checked columns of a postal address, named as the address tables name them."""
    return PostalColumns(
        line1=text(address.line1, f"{prefix}.line1"),
        line2=optional_text(address.line2, f"{prefix}.line2"),
        city=text(address.city, f"{prefix}.city", max_length=100),
        region=optional_text(address.region, f"{prefix}.region", max_length=100),
        postal_code=text(address.postal_code, f"{prefix}.postalCode", max_length=20),
        country=country(address.country, f"{prefix}.country"),
    )


def coordinates(latitude: float, longitude: float) -> tuple[float, float]:
    if not -90 <= latitude <= 90:
        raise InvalidInput("latitude must be between -90 and 90", field=["latitude"])
    if not -180 <= longitude <= 180:
        raise InvalidInput("longitude must be between -180 and 180", field=["longitude"])
    return latitude, longitude
