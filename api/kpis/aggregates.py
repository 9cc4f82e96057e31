"""SQL building blocks for the KPIs, the same on PostgreSQL and SQLite: the figures are
computed by the database, never by loading rows into Python."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Float, Select, case, cast, extract, func, select


def flag(condition: Any) -> ColumnElement[int]:
    """1 where ``condition`` holds, else 0: what a sum counts."""
    return case((condition, 1), else_=0)


def seconds_between(later: Any, earlier: Any, dialect: str) -> ColumnElement[float]:
    """``later - earlier`` in seconds (timestamps as the UTC columns store them); to the
    millisecond on SQLite, whose day fractions carry float noise below it."""
    if dialect == "postgresql":
        return cast(extract("epoch", later - earlier), Float)
    return func.round((func.julianday(later) - func.julianday(earlier)) * 86_400.0, 3)


def percentiles_by(values: Select[Any], percents: Sequence[int]) -> Select[Any]:
    """Per group, the nearest-rank percentiles of each value column (the smallest value with at
    least p % of the group's values at or below it; None where a group has no value): ``values``
    selects the group key first, then the value columns, NULL where a row has no value. A row
    per group: the key, then for each value column its percentiles in the order of
    ``percents``. Integer arithmetic gives the rank ceil(p * n / 100) without a ceil function,
    which SQLite may lack."""
    group, *measured = values.subquery().columns
    windows = []
    for index, value in enumerate(measured):
        ordered: dict[str, Any] = {"partition_by": group, "order_by": value.asc().nulls_last()}
        windows += [
            value.label(f"v{index}"),
            func.row_number().over(**ordered).label(f"rank{index}"),
            func.count(value).over(partition_by=group).label(f"n{index}"),
        ]
    ranked = select(group.label("key"), *windows).subquery()
    picks = []
    for index in range(len(measured)):
        value, rank, n = (ranked.c[f"{name}{index}"] for name in ("v", "rank", "n"))
        picks += [
            func.min(case((rank >= (n * percent + 99) // 100, value))).label(f"p{index}_{percent}")
            for percent in percents
        ]
    return select(ranked.c.key, *picks).group_by(ranked.c.key)
