"""What a simulated business is made of: the catalogue and locations it finds in the database,
shoppers with addresses across the regions it serves, and the odds of everything that happens
to an order."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from api.catalog.models import Sku
from api.channels.models import Channel
from api.db import Database
from api.locations.models import Location
from api.orders.requests import LineRequest, ShippingAddress
from api.reads import columns
from api.returns.models import ReturnReason

# city, postal code, country, latitude, longitude: where shoppers live, weighted by population.
REGIONS = [
    ("Berlin", "10115", "DE", 52.520, 13.405, 8),
    ("Hamburg", "20095", "DE", 53.551, 9.994, 5),
    ("Munich", "80331", "DE", 48.137, 11.575, 5),
    ("Cologne", "50667", "DE", 50.938, 6.960, 3),
    ("Frankfurt", "60311", "DE", 50.110, 8.682, 3),
    ("Leipzig", "04109", "DE", 51.340, 12.375, 2),
    ("Dresden", "01067", "DE", 51.050, 13.738, 2),
    ("Stuttgart", "70173", "DE", 48.776, 9.183, 2),
    ("Vienna", "1010", "AT", 48.208, 16.373, 3),
    ("Graz", "8010", "AT", 47.070, 15.439, 1),
]
FIRST = ["Ada", "Ben", "Clara", "David", "Emma", "Finn", "Greta", "Hugo", "Ida", "Jonas",
         "Karla", "Lena", "Mia", "Noah", "Olga", "Paul"]  # fmt: skip
LAST = ["Fischer", "Schmidt", "Weber", "Wagner", "Becker", "Hoffmann", "Koch", "Richter",
        "Klein", "Wolf", "Neumann", "Braun"]  # fmt: skip
CHANNEL_SHARES = {"web": 6, "marketplace": 3, "pos": 1}
RETURN_REASONS = {
    ReturnReason.CHANGED_MIND: 40,
    ReturnReason.NOT_AS_DESCRIBED: 20,
    ReturnReason.DAMAGED: 15,
    ReturnReason.WRONG_ITEM: 10,
    ReturnReason.OTHER: 15,
}


@dataclass(frozen=True)
class Odds:
    """How often things happen, per order unless said otherwise."""

    declined_payment: float = 0.01
    payment_review: float = 0.01
    cancelled: float = 0.02
    short_pick: float = 0.01  # per pick task
    late_delivery: float = 0.07
    returned: float = 0.08
    feedback: float = 0.25


@dataclass(frozen=True)
class Shopper:
    email: str
    name: str
    address: ShippingAddress


class World:
    def __init__(self, seed: int, sku_codes: list[str], shipping_locations: list[int],
                 channels: list[str], shoppers: int) -> None:  # fmt: skip
        self.rng = random.Random(seed)
        self.sku_codes = sku_codes
        self.shipping_locations = shipping_locations
        self.channels = [code for code in CHANNEL_SHARES if code in channels] or channels
        # A few SKUs sell most (Zipf-like), so some run low while others sit on the shelf.
        self._sku_weights = [1 / (rank + 1) ** 0.8 for rank in range(len(sku_codes))]
        self.rng.shuffle(self.sku_codes)
        self.shoppers = [self._shopper(number) for number in range(shoppers)]
        self.odds = Odds()

    @classmethod
    async def load(cls, database: Database, seed: int, shoppers: int) -> World:
        sku, location, channel = columns(Sku), columns(Location), columns(Channel)
        async with database.reader() as reader:
            codes = list(
                (
                    await reader.execute(select(sku.code).where(sku.active).order_by(sku.id))
                ).scalars()
            )
            locations = list(
                (
                    await reader.execute(
                        select(location.id).where(location.ships).order_by(location.id)
                    )
                ).scalars()
            )
            channels = list((await reader.execute(select(channel.code))).scalars())
        if not codes or not locations or not channels:
            raise ValueError("the database has no catalogue, shipping location or channel")
        return cls(seed, codes, locations, channels, shoppers)

    def _shopper(self, number: int) -> Shopper:
        first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
        city, postal, country, lat, lon, _ = self.rng.choices(
            REGIONS, weights=[region[5] for region in REGIONS]
        )[0]
        address = ShippingAddress(
            f"{first} {last}", f"{self.rng.choice(['Haupt', 'Garten', 'Linden'])}straße "
            f"{self.rng.randrange(1, 120)}", city, postal, country,
            latitude=lat + self.rng.uniform(-0.05, 0.05),
            longitude=lon + self.rng.uniform(-0.05, 0.05),
        )  # fmt: skip
        return Shopper(f"{first}.{last}.{number}@example.com".lower(), f"{first} {last}", address)

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def basket(self) -> list[LineRequest]:
        size = min(self.rng.choices([1, 2, 3, 4], weights=[55, 28, 12, 5])[0], len(self.sku_codes))
        codes: list[str] = []
        while len(codes) < size:
            code = self.rng.choices(self.sku_codes, weights=self._sku_weights)[0]
            if code not in codes:
                codes.append(code)
        return [LineRequest(code, self.rng.choices([1, 2, 3], [80, 15, 5])[0]) for code in codes]

    def channel(self) -> str:
        return self.rng.choices(self.channels, [CHANNEL_SHARES.get(c, 1) for c in self.channels])[0]

    def orders_on(self, day: date, per_day: int) -> int:
        weekend = day.weekday() >= 5
        mean = per_day * (1.25 if weekend else 0.9)
        return max(0, round(self.rng.gauss(mean, mean**0.5)))

    def moments(self, day: date, count: int) -> list[datetime]:
        """``count`` moments of the day, in order, busiest at 20:00."""
        hours = [self.rng.triangular(0, 24, 20) for _ in range(count)]
        midnight = datetime.combine(day, time(), UTC)
        return sorted(midnight + timedelta(hours=hour) for hour in hours)

    def transit_days(self) -> int:
        days = self.rng.choices([1, 2, 3], weights=[50, 35, 15])[0]
        return days + (self.rng.randrange(2, 5) if self.chance(self.odds.late_delivery) else 0)

    def return_reason(self) -> ReturnReason:
        return self.rng.choices(list(RETURN_REASONS), weights=list(RETURN_REASONS.values()))[0]

    def rating(self, late: bool) -> int:
        weights = [8, 10, 20, 30, 32] if late else [2, 3, 10, 35, 50]
        return self.rng.choices([1, 2, 3, 4, 5], weights=weights)[0]
