from __future__ import annotations

from datetime import date, datetime

import strawberry

from api.kpis.figures import Figures, Ratio, Spread
from api.kpis.periods import Granularity
from api.kpis.stock import LevelTurnover
from api.reports.aftercare import LateShipment, OpenReturns
from api.reports.stock import LowStockReason, StockRow
from schema.relay import encode_global_id
from schema.scalars import BigInt, Money, MoneyTotal

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
    revenue: MoneyTotal = strawberry.field(description="Totals of the orders not cancelled.")
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
    cost_of_goods_shipped: MoneyTotal = strawberry.field(
        description="Units shipped times the SKU's unit cost."
    )
    average_inventory_value: MoneyTotal = strawberry.field(
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

        def total(amount: float) -> MoneyTotal:
            return MoneyTotal(amount=BigInt(round(amount)), currency=currency)

        average_cost = figures.average_shipping_cost
        return cls(
            start=figures.start,
            orders=figures.orders,
            revenue=total(figures.revenue),
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
            cost_of_goods_shipped=total(figures.cost_of_goods_shipped),
            average_inventory_value=total(figures.average_inventory_value),
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


LowStockReasonType = strawberry.enum(LowStockReason, name="LowStockReason")


@strawberry.type(description="A level in a stock report, with its recent sales.")
class StockReportRow:
    location_id: strawberry.ID
    location_code: str
    sku: str = strawberry.field(description="The SKU's code.")
    sku_name: str
    on_hand: int
    reserved: int
    available: int
    incoming: int
    safety_stock: int
    units_shipped: int = strawberry.field(description="Over the report's sales window.")
    daily_sales: float
    days_of_cover: float | None = strawberry.field(
        description="Days the free units (on hand less reserved) last at the daily sales; null "
        "when nothing shipped in the window."
    )
    last_shipped_at: datetime | None
    stock_value: Money = strawberry.field(description="On hand times unit cost.")
    reason: LowStockReasonType | None = strawberry.field(  # type: ignore[valid-type]
        description="Why the level is low (the low-stock report only)."
    )

    @classmethod
    def of(cls, row: StockRow, *, low: bool) -> StockReportRow:
        return cls(
            location_id=encode_global_id("Location", row.location_id),
            location_code=row.location_code,
            sku=row.sku,
            sku_name=row.sku_name,
            on_hand=row.on_hand,
            reserved=row.reserved,
            available=row.available,
            incoming=row.incoming,
            safety_stock=row.safety_stock,
            units_shipped=row.units_shipped,
            daily_sales=row.daily_sales,
            days_of_cover=row.days_of_cover,
            last_shipped_at=row.last_shipped_at,
            stock_value=Money(amount=row.stock_value, currency=row.currency),
            reason=row.reason if low else None,
        )


@strawberry.type(description="A shipment not delivered by the date promised to the customer.")
class LateShipmentRow:
    shipment_id: strawberry.ID
    order_id: strawberry.ID
    order_number: str
    location_code: str
    status: str
    promised_at: datetime
    days_late: float
    shipped_at: datetime | None
    carrier: str | None
    tracking_number: str | None
    estimated_delivery_at: datetime | None

    @classmethod
    def of(cls, row: LateShipment) -> LateShipmentRow:
        return cls(
            shipment_id=encode_global_id("Shipment", row.shipment_id),
            order_id=encode_global_id("Order", row.order_id),
            order_number=row.order_number,
            location_code=row.location_code,
            status=row.status,
            promised_at=row.promised_at,
            days_late=row.days_late,
            shipped_at=row.shipped_at,
            carrier=row.carrier,
            tracking_number=row.tracking_number,
            estimated_delivery_at=row.estimated_delivery_at,
        )


@strawberry.type(description="Open returns of one status requested within an age band.")
class ReturnAgeBand:
    min_days: int
    max_days: int | None = strawberry.field(description="Null: no upper bound.")
    status: str
    count: int


@strawberry.type
class OpenReturnRow:
    return_id: strawberry.ID
    order_id: strawberry.ID
    order_number: str
    status: str
    requested_at: datetime
    age_days: int
    units: int


@strawberry.type(description="Returns not yet settled: counts by age and status, oldest first.")
class OpenReturnsReport:
    bands: list[ReturnAgeBand]
    oldest: list[OpenReturnRow]

    @classmethod
    def of(cls, report: OpenReturns) -> OpenReturnsReport:
        return cls(
            bands=[
                ReturnAgeBand(
                    min_days=band.min_days,
                    max_days=band.max_days,
                    status=band.status,
                    count=band.count,
                )
                for band in report.bands
            ],
            oldest=[
                OpenReturnRow(
                    return_id=encode_global_id("Return", row.return_id),
                    order_id=encode_global_id("Order", row.order_id),
                    order_number=row.order_number,
                    status=row.status,
                    requested_at=row.requested_at,
                    age_days=row.age_days,
                    units=row.units,
                )
                for row in report.oldest
            ],
        )


@strawberry.type(description="How fast one SKU's stock at one location turns over.")
class LevelTurnoverRow:
    location_id: strawberry.ID
    location_code: str
    sku: str
    sku_name: str
    units_shipped: int
    average_on_hand: float = strawberry.field(description="Units, averaged over time.")
    turnover: float | None = strawberry.field(description="Units shipped / average on hand.")
    days_on_hand: float | None
    average_inventory_value: Money

    @classmethod
    def of(cls, level: LevelTurnover) -> LevelTurnoverRow:
        return cls(
            location_id=encode_global_id("Location", level.location_id),
            location_code=level.location_code,
            sku=level.sku,
            sku_name=level.sku_name,
            units_shipped=level.units_shipped,
            average_on_hand=level.average_on_hand,
            turnover=level.turnover,
            days_on_hand=level.days_on_hand,
            average_inventory_value=Money(
                amount=round(level.average_on_hand * level.unit_cost), currency=level.currency
            ),
        )
