"""What the KPIs report: each figure with the counts it is made of, so a reader can check it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass
class Ratio:
    """``count`` out of ``out_of``; no rate when there is nothing to count."""

    count: int = 0
    out_of: int = 0

    @property
    def rate(self) -> float | None:
        return self.count / self.out_of if self.out_of else None

    def add(self, other: Ratio) -> None:
        self.count += other.count
        self.out_of += other.out_of


@dataclass
class Spread:
    """Nearest-rank percentiles of a duration, in seconds."""

    p50: float | None = None
    p90: float | None = None


@dataclass
class Figures:
    """The KPIs over one span: the whole period or one bucket of its series."""

    start: date
    orders: int = 0
    revenue: int = 0
    cancellations: Ratio = field(default_factory=Ratio)
    backorders: Ratio = field(default_factory=Ratio)
    split_shipments: Ratio = field(default_factory=Ratio)
    fill: Ratio = field(default_factory=Ratio)
    shipped_orders: int = 0
    time_to_ship: Spread = field(default_factory=Spread)
    time_to_deliver: Spread = field(default_factory=Spread)
    on_time: Ratio = field(default_factory=Ratio)
    returns: Ratio = field(default_factory=Ratio)
    inaccurate_orders: int = 0
    shipping_cost: int = 0
    cost_of_goods_shipped: int = 0
    average_inventory_value: float = 0.0
    days: float = 0.0
    stock_outs: Ratio = field(default_factory=Ratio)
    satisfaction: Ratio = field(default_factory=Ratio)
    rating_sum: int = 0
    walked_m: float = 0.0
    order_by_order_m: float = 0.0

    @property
    def accuracy(self) -> Ratio:
        """Shipped orders without a return for a wrong item or one not as described."""
        return Ratio(self.shipped_orders - self.inaccurate_orders, self.shipped_orders)

    @property
    def average_shipping_cost(self) -> float | None:
        return self.shipping_cost / self.shipped_orders if self.shipped_orders else None

    @property
    def inventory_turnover(self) -> float | None:
        if not self.average_inventory_value:
            return None
        return self.cost_of_goods_shipped / self.average_inventory_value

    @property
    def days_on_hand(self) -> float | None:
        if not self.cost_of_goods_shipped:
            return None
        return self.average_inventory_value / (self.cost_of_goods_shipped / self.days)

    @property
    def average_rating(self) -> float | None:
        return self.rating_sum / self.satisfaction.out_of if self.satisfaction.out_of else None

    @property
    def pick_path_saving(self) -> float | None:
        if not self.order_by_order_m:
            return None
        return 1 - self.walked_m / self.order_by_order_m


@dataclass
class KpiReport:
    currency: str
    totals: Figures
    series: list[Figures]
