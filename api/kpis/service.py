"""The KPIs of a period, in total and as a time series: each group of figures is a handful of
aggregate queries, run side by side on connections of their own. Formulas: docs/KPIS.md."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select

from api.db import Database
from api.fulfilment.models import PickList
from api.kpis.figures import Figures, KpiReport
from api.kpis.orders import Scope, add_order_figures
from api.kpis.periods import Granularity, Period, as_day, bucket_of
from api.kpis.projection import catch_up
from api.kpis.stock import LevelTurnover, add_stock_figures, turnover_by_level
from api.reads import Reader, columns

Adder = Callable[[Reader, Scope, Figures, dict[date, Figures]], Awaitable[None]]


async def _add_pick_figures(
    reader: Reader, scope: Scope, totals: Figures, series: dict[date, Figures]
) -> None:
    """Metres walked by the waves created in the period against the same picks order by
    order."""
    pick_list = columns(PickList)
    bucket = bucket_of(pick_list.created_at, scope.period.granularity, reader.dialect.name)
    statement = (
        select(
            bucket.label("bucket"),
            func.sum(pick_list.walking_distance_m),
            func.sum(pick_list.naive_walking_distance_m),
        )
        .where(pick_list.created_at >= scope.period.start, pick_list.created_at < scope.period.end)
        .group_by(bucket)
    )
    if scope.location_id is not None:
        statement = statement.where(pick_list.location_id == scope.location_id)
    for key, walked, order_by_order in await reader.execute(statement):
        for figures in (totals, series[as_day(key)]):
            figures.walked_m += walked
            figures.order_by_order_m += order_by_order


async def kpis(
    database: Database,
    start: datetime,
    end: datetime,
    granularity: Granularity,
    *,
    currency: str,
    channel_id: int | None = None,
    location_id: int | None = None,
) -> KpiReport:
    period = Period.of(start, end, granularity)
    await catch_up(database)
    scope = Scope(period, currency, channel_id, location_id)
    buckets = period.buckets()
    totals = Figures(start=buckets[0].key)
    series = {bucket.key: Figures(start=bucket.key) for bucket in buckets}

    async def run(adder: Adder) -> Any:
        async with database.reader() as reader:
            await adder(reader, scope, totals, series)

    await asyncio.gather(
        *(run(adder) for adder in (add_order_figures, add_stock_figures, _add_pick_figures))
    )
    return KpiReport(currency=currency, totals=totals, series=list(series.values()))


async def turnover_of_levels(
    database: Database,
    start: datetime,
    end: datetime,
    *,
    currency: str,
    location_id: int | None = None,
    fastest: bool = False,
    limit: int = 100,
) -> list[LevelTurnover]:
    scope = Scope(Period.of(start, end, Granularity.MONTH), currency, None, location_id)
    await catch_up(database)
    async with database.reader() as reader:
        return await turnover_by_level(reader, scope, fastest=fastest, limit=limit)
