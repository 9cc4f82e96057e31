"""What a caller asks of order intake, checked before anything is read or written."""

from __future__ import annotations

from dataclasses import dataclass

from api import validation
from api.errors import InvalidInput
from api.orders.models import Order
from api.shipping.speeds import ShippingSpeed

MAX_LINES = 100
MAX_LINE_QUANTITY = 10_000


@dataclass(frozen=True)
class LineRequest:
    sku: str
    quantity: int


@dataclass(frozen=True)
class ShippingAddress:
    name: str
    line1: str
    city: str
    postal_code: str
    country: str
    line2: str | None = None
    region: str | None = None
    latitude: float | None = None
    longitude: float | None = None


def address_of(order: Order) -> ShippingAddress:
    """Where an order ships to, as it was accepted."""
    return ShippingAddress(
        name=order.ship_name,
        line1=order.ship_line1,
        line2=order.ship_line2,
        city=order.ship_city,
        region=order.ship_region,
        postal_code=order.ship_postal_code,
        country=order.ship_country,
        latitude=order.ship_latitude,
        longitude=order.ship_longitude,
    )


@dataclass(frozen=True)
class PlaceOrderRequest:
    channel: str
    customer_email: str
    customer_name: str
    lines: list[LineRequest]
    address: ShippingAddress
    payment_method: str = "card"
    payment_token: str = ""
    shipping_speed: ShippingSpeed = ShippingSpeed.STANDARD
    idempotency_key: str | None = None
    external_reference: str | None = None
    credit: int = 0
    """Minor units already paid for this order (the returned goods of an exchange); only the
    rest is authorised."""
    exchange_for_return_id: int | None = None
    customer_locale: str | None = None
    """The language the customer reads (their mail is written in it)."""


@dataclass(frozen=True)
class ValidOrder:
    """A placement request with every field checked and normalised: once it exists, nothing
    later in the placement refuses the caller's input (only stock, payment or a conflict)."""

    request: PlaceOrderRequest
    email: str
    name: str
    locale: str | None
    quantities: dict[str, int]
    """SKU code -> units, lines naming one SKU merged."""
    ship_columns: dict[str, object]
    external_reference: str | None
    payment_method: str
    payment_token: str
    """Blank only for an order its credit may pay wholly (``credit``)."""


def validated(request: PlaceOrderRequest) -> ValidOrder:
    """The one check of a placement request, before anything is reserved or written."""
    if request.credit < 0:
        raise InvalidInput("credit must not be negative", field=["credit"])
    pays_by_card = request.credit == 0 or bool(request.payment_token.strip())
    return ValidOrder(
        request=request,
        email=validation.email(request.customer_email, "customer.email"),
        name=validation.text(request.customer_name, "customer.name"),
        locale=validation.locale(request.customer_locale, "customer.locale"),
        quantities=merged_lines(request.lines),
        ship_columns=checked_address(request.address),
        external_reference=validation.optional_text(
            request.external_reference, "externalReference", max_length=100
        ),
        payment_method=validation.text(request.payment_method, "payment.method", max_length=32),
        payment_token=(
            validation.text(request.payment_token, "payment.token", max_length=200)
            if pays_by_card
            else ""
        ),
    )


def merged_lines(lines: list[LineRequest], field_name: str = "lines") -> dict[str, int]:
    """SKU code -> quantity. Lines naming the same SKU are merged into one (their quantities
    added), so an order holds each SKU once; the merged quantity must still be 1..10,000."""
    if not 1 <= len(lines) <= MAX_LINES:
        raise InvalidInput(f"an order has 1 to {MAX_LINES} lines", field=[field_name])
    merged: dict[str, int] = {}
    for index, line in enumerate(lines):
        code = line.sku.strip()
        if not code:
            raise InvalidInput("sku must not be blank", field=[field_name, str(index), "sku"])
        if line.quantity < 1:
            raise InvalidInput(
                "quantity must be at least 1", field=[field_name, str(index), "quantity"]
            )
        merged[code] = merged.get(code, 0) + line.quantity
    for index, (code, quantity) in enumerate(merged.items()):
        if quantity > MAX_LINE_QUANTITY:
            raise InvalidInput(
                f"at most {MAX_LINE_QUANTITY} units of {code} per order",
                field=[field_name, str(index), "quantity"],
            )
    return merged


def checked_address(address: ShippingAddress) -> dict[str, object]:
    """The order's ship_* columns for a valid address."""
    prefix = "shippingAddress"
    columns = validation.postal_address(address, prefix)
    if (address.latitude is None) != (address.longitude is None):
        raise InvalidInput(
            "give both latitude and longitude, or neither", field=[prefix, "latitude"]
        )
    if address.latitude is not None and address.longitude is not None:
        validation.coordinates(address.latitude, address.longitude)
    return {
        "ship_name": validation.text(address.name, f"{prefix}.name"),
        **{f"ship_{name}": value for name, value in columns.items()},
        "ship_latitude": address.latitude,
        "ship_longitude": address.longitude,
    }
