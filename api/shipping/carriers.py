"""Carriers: their rate tables, the choice of service, and the adapters that issue labels.

The built-in carriers are simulated: they price from the tables below and issue deterministic
tracking numbers and real PDF labels without any network, so the whole flow runs anywhere. A
real carrier is another ``CarrierAdapter`` registered under its name, with its own table.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Protocol

from fpdf import FPDF

from api.errors import InvalidInput
from api.shipping.rates import DISTANCE_BANDS_KM


@dataclass(frozen=True)
class CarrierService:
    carrier: str
    service: str
    base_price: tuple[int, int, int, int]
    """Minor units for the first kilogram, by distance band (local, regional, national, abroad)."""
    per_extra_kg: tuple[int, int, int, int]
    transit_days: tuple[int, int, int, int]


SERVICES: tuple[CarrierService, ...] = (
    CarrierService("ROADRUNNER", "ECONOMY", (349, 449, 599, 1499), (30, 40, 50, 180), (2, 3, 4, 8)),
    CarrierService(
        "ROADRUNNER", "STANDARD", (449, 549, 649, 1599), (40, 50, 60, 200), (1, 2, 3, 6)
    ),
    CarrierService("SWIFTPOST", "STANDARD", (399, 529, 699, 1699), (50, 60, 70, 220), (1, 2, 2, 5)),
    CarrierService(
        "SWIFTPOST", "EXPRESS", (1290, 1590, 1890, 3990), (90, 120, 150, 400), (1, 1, 1, 2)
    ),
)


@dataclass(frozen=True)
class Quote:
    carrier: str
    service: str
    price: int
    transit_days: int


def quote(service: CarrierService, distance_km: float, weight_grams: int) -> Quote:
    band = bisect.bisect_left(DISTANCE_BANDS_KM, distance_km)
    extra_kg = max(0, -(-weight_grams // 1000) - 1)
    price = service.base_price[band] + extra_kg * service.per_extra_kg[band]
    return Quote(service.carrier, service.service, price, service.transit_days[band])


def choose_service(
    distance_km: float,
    weight_grams: int,
    days_left: int | None,
    *,
    carrier: str | None = None,
    service: str | None = None,
) -> Quote:
    """The cheapest service that arrives within ``days_left`` (the fastest when none can), or
    the one the caller names."""
    offered = [quote(s, distance_km, weight_grams) for s in SERVICES]
    if carrier is not None or service is not None:
        named = [
            q
            for q in offered
            if (carrier is None or q.carrier == carrier.strip().upper())
            and (service is None or q.service == service.strip().upper())
        ]
        if not named:
            known = ", ".join(f"{q.carrier}/{q.service}" for q in offered)
            raise InvalidInput(f"no such carrier service; known: {known}", field=["carrier"])
        offered = named
    in_time = [q for q in offered if days_left is None or q.transit_days <= days_left]
    if in_time:
        return min(in_time, key=lambda q: (q.price, q.transit_days, q.carrier, q.service))
    return min(offered, key=lambda q: (q.transit_days, q.price, q.carrier, q.service))


@dataclass(frozen=True)
class LabelRequest:
    shipment_id: int
    """The shipment's id, or the return's for a return label."""
    order_number: str
    service: Quote
    ship_from: list[str]
    ship_to: list[str]
    packages: int
    weight_grams: int
    is_return: bool = False


@dataclass(frozen=True)
class Label:
    tracking_number: str
    pdf: bytes


class CarrierAdapter(Protocol):
    """Books a shipment with a carrier: a tracking number and a printable label."""

    name: str

    async def create_label(self, request: LabelRequest) -> Label: ...


def _check_digit(digits: str) -> str:
    """Luhn: a mistyped tracking number is caught before it is looked up."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str((10 - total % 10) % 10)


class SimulatedCarrier:
    """A carrier without a network: deterministic tracking numbers, real PDF labels."""

    def __init__(self, name: str, prefix: str) -> None:
        self.name = name
        self.prefix = prefix

    def tracking_number(self, shipment_id: int, *, is_return: bool = False) -> str:
        digits = f"{shipment_id:010d}"
        kind = "R" if is_return else ""
        return f"{self.prefix}{kind}{digits}{_check_digit(digits)}"

    async def create_label(self, request: LabelRequest) -> Label:
        number = self.tracking_number(request.shipment_id, is_return=request.is_return)
        return Label(number, _label_pdf(request, number))


def _label_pdf(request: LabelRequest, tracking_number: str) -> bytes:
    pdf = FPDF(format=(105, 148))  # A6, in millimetres
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(
        0, 8, f"{request.service.carrier} {request.service.service}", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font("Helvetica", size=8)
    pdf.cell(0, 4, "From:", new_x="LMARGIN", new_y="NEXT")
    for line in request.ship_from:
        pdf.cell(0, 4, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(0, 5, "To:", new_x="LMARGIN", new_y="NEXT")
    for line in request.ship_to:
        pdf.cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Helvetica", size=8)
    pdf.cell(
        0,
        4,
        f"Order {request.order_number}  -  {request.packages} package(s), "
        f"{request.weight_grams / 1000:.2f} kg",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.code39(f"*{tracking_number}*", x=8, y=pdf.get_y() + 3, w=0.8, h=16)
    pdf.set_y(pdf.get_y() + 21)
    pdf.set_font("Courier", "B", 11)
    pdf.cell(0, 6, tracking_number, align="C")
    return bytes(pdf.output())


BUILT_IN: dict[str, CarrierAdapter] = {
    "ROADRUNNER": SimulatedCarrier("ROADRUNNER", "RR"),
    "SWIFTPOST": SimulatedCarrier("SWIFTPOST", "SP"),
}
