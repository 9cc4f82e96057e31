"""SQL building blocks for the KPIs, the same on PostgreSQL and SQLite: the figures are
computed by the database, never by loading rows into Python."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Float, Select, case, cast, extract, func, select


def seconds_between(later: Any, earlier: Any, dialect: str) -> ColumnElement[float]:
    """``later - earlier`` in seconds (timestamps as the UTC columns store them)."""
    if dialect == "postgresql":
        return cast(extract("epoch", later - earlier), Float)
    return (func.julianday(later) - func.julianday(earlier)) * 86_400.0


def percentiles(values: Select[Any], percents: Sequence[int]) -> Select[Any]:
    """One row: the nearest-rank percentile of the single column ``values`` selects, for each
    of ``percents`` (the smallest value with at least p % of the values at or below it); None
    for no values. Integer arithmetic gives the rank ceil(p * n / 100) without a ceil function,
    which SQLite may lack."""
    value = next(iter(values.subquery().columns))
    ranked = select(
        value.label("value"),
        func.row_number().over(order_by=value).label("rank"),
        func.count().over().label("n"),
    ).subquery()
    return select(
        *(
            func.min(
                case((ranked.c.rank >= (ranked.c.n * percent + 99) // 100, ranked.c.value))
            ).label(f"p{percent}")
            for percent in percents
        )
    )
