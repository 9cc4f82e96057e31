from __future__ import annotations

from datetime import date, datetime

import strawberry

from api.kpis.figures import Figures, Ratio, Spread
from api.kpis.periods import Granularity
from schema.scalars import Money

KpiGranularity = strawberry.enum(
    Granularity, name="KpiGranularity", description="The span of each point of a series."
)

HOUR = 3600.0


@strawberry.type(description="`count` out of `outOf`; `rate` is null when `outOf` is 0.")
class KpiRatio:
    count: int
    out_of: int
    rate: float | None

    @classmethod
    def of(cls, ratio: Ratio) -> KpiRatio:
        return cls(count=ratio.count, out_of=ratio.out_of, rate=ratio.rate)


@strawberry.type(description="Nearest-rank percentiles of a duration, in hours.")
class DurationPercentiles:
    p50_hours: float | None
    p90_hours: float | None

    @classmethod
    def of(cls, spread: Spread) -> DurationPercentiles:
        def hours(seconds: float | None) -> float | None:
            return None if seconds is None else seconds / HOUR

        return cls(p50_hours=hours(spread.p50), p90_hours=hours(spread.p90))


@strawberry.type(
    description="The KPIs over a span (the whole period, or one point of its series). Order "
    "figures count the orders placed in the span, whatever became of them later; inventory "
    "and picking figures what happened in it. Formulas: docs/KPIS.md."
)
class KpiFigures:
    start: date = strawberry.field(description="The span's first day (UTC).")
    orders: int = strawberry.field(description="Orders placed.")
    revenue: Money = strawberry.field(description="Totals of the orders not cancelled.")
    cancellation_rate: KpiRatio = strawberry.field(description="Cancelled orders / orders.")
    backorder_rate: KpiRatio = strawberry.field(
        description="Orders with a line that ever waited for stock / orders."
    )
    fill_rate: KpiRatio = strawberry.field(
        description="Lines shipped complete from their first allocation / lines shipped or "
        "known to be short (backordered or re-sourced)."
    )
    split_shipment_rate: KpiRatio = strawberry.field(
        description="Orders in more than one shipment / orders with a shipment."
    )
    shipped_orders: int = strawberry.field(description="Orders with a shipment shipped.")
    time_to_ship: DurationPercentiles = strawberry.field(
        description="Placed → last shipment shipped, over the orders fully shipped."
    )
    time_to_deliver: DurationPercentiles = strawberry.field(
        description="Placed → last shipment delivered, over the orders fully delivered."
    )
    on_time_delivery_rate: KpiRatio = strawberry.field(
        description="Shipments delivered by the order's promised date / shipments delivered."
    )
    return_rate: KpiRatio = strawberry.field(
        description="Shipped orders with a return (not rejected) / shipped orders."
    )
    order_accuracy: KpiRatio = strawberry.field(
        description="Shipped orders without a return for a wrong item or one not as "
        "described / shipped orders."
    )
    average_shipping_cost: Money | None = strawberry.field(
        description="Carrier cost of the shipments shipped / shipped orders."
    )
    cost_of_goods_shipped: Money = strawberry.field(
        description="Units shipped times the SKU's unit cost."
    )
    average_inventory_value: Money = strawberry.field(
        description="On-hand units times unit cost, averaged over time."
    )
    inventory_turnover: float | None = strawberry.field(
        description="Cost of goods shipped / average inventory value."
    )
    days_on_hand: float | None = strawberry.field(
        description="Average inventory value / cost of goods shipped per day."
    )
    stock_out_rate: KpiRatio = strawberry.field(
        description="SKU-days at zero available (end of day) / SKU-days tracked."
    )
    csat: KpiRatio = strawberry.field(description="Ratings of 4 or 5 / ratings.")
    average_rating: float | None = strawberry.field(description="Mean rating, 1 to 5.")
    pick_path_saving: float | None = strawberry.field(
        description="1 - metres walked by the waves / metres picking order by order."
    )
    walked_metres: float
    order_by_order_metres: float

    @classmethod
    def of(cls, figures: Figures, currency: str) -> KpiFigures:
        def money(amount: float) -> Money:
            return Money(amount=round(amount), currency=currency)

        average_cost = figures.average_shipping_cost
        return cls(
            start=figures.start,
            orders=figures.orders,
            revenue=money(figures.revenue),
            cancellation_rate=KpiRatio.of(figures.cancellations),
            backorder_rate=KpiRatio.of(figures.backorders),
            fill_rate=KpiRatio.of(figures.fill),
            split_shipment_rate=KpiRatio.of(figures.split_shipments),
            shipped_orders=figures.shipped_orders,
            time_to_ship=DurationPercentiles.of(figures.time_to_ship),
            time_to_deliver=DurationPercentiles.of(figures.time_to_deliver),
            on_time_delivery_rate=KpiRatio.of(figures.on_time),
            return_rate=KpiRatio.of(figures.returns),
            order_accuracy=KpiRatio.of(figures.accuracy),
            average_shipping_cost=None if average_cost is None else money(average_cost),
            cost_of_goods_shipped=money(figures.cost_of_goods_shipped),
            average_inventory_value=money(figures.average_inventory_value),
            inventory_turnover=figures.inventory_turnover,
            days_on_hand=figures.days_on_hand,
            stock_out_rate=KpiRatio.of(figures.stock_outs),
            csat=KpiRatio.of(figures.satisfaction),
            average_rating=figures.average_rating,
            pick_path_saving=figures.pick_path_saving,
            walked_metres=figures.walked_m,
            order_by_order_metres=figures.order_by_order_m,
        )


@strawberry.type(description="KPIs for a period: totals and a time series.")
class KpiReport:
    from_: datetime = strawberry.field(name="from")
    to: datetime
    granularity: KpiGranularity  # type: ignore[valid-type]
    currency: str = strawberry.field(description="The currency of every money figure.")
    totals: KpiFigures
    series: list[KpiFigures]
