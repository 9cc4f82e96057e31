"""The shipping rate table: price and transit time of one shipment by speed and distance band.

Prices are in minor units of the order's currency, excluding tax. A shipment's distance is the
great-circle distance from the shipping location to the destination.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from geopy.distance import great_circle

from api.shipping.speeds import ShippingSpeed

# Upper bounds (km) of the distance bands; beyond the last bound is the last band.
DISTANCE_BANDS_KM = (100.0, 500.0, 1500.0)
BAND_NAMES = ("local", "regional", "national", "international")

PRICES: dict[ShippingSpeed, tuple[int, int, int, int]] = {
    ShippingSpeed.STANDARD: (390, 490, 690, 1490),
    ShippingSpeed.EXPRESS: (890, 1190, 1490, 2990),
}
TRANSIT_DAYS: dict[ShippingSpeed, tuple[int, int, int, int]] = {
    ShippingSpeed.STANDARD: (1, 2, 3, 6),
    ShippingSpeed.EXPRESS: (1, 1, 2, 3),
}


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Rate:
    band: str
    price: int
    transit_days: int


def distance_km(origin: Point, destination: Point) -> float:
    return float(
        great_circle(
            (origin.latitude, origin.longitude), (destination.latitude, destination.longitude)
        ).km
    )


def rate(speed: ShippingSpeed, distance: float) -> Rate:
    band = bisect.bisect_left(DISTANCE_BANDS_KM, distance)
    return Rate(BAND_NAMES[band], PRICES[speed][band], TRANSIT_DAYS[speed][band])
