"""SQL pieces the reports share that SQLite and PostgreSQL spell differently: hours
between two timestamps, the ISO week a timestamp falls in, and percentiles.

**Percentile method** (one, everywhere): linear interpolation between closest ranks,
the definition of PostgreSQL's `percentile_cont` and of Excel's `PERCENTILE.INC`. For N
values sorted ascending v1..vN and a percentile p in [0, 1], the position is
h = 1 + p(N - 1); the result is v⌊h⌋ + (h - ⌊h⌋)(v⌊h⌋+1 - v⌊h⌋). So the median of
1, 2, 3, 10 is 2.5 and its 90th percentile 7.9. SQLite has no `percentile_cont`, so both
databases compute it from `row_number()` and `count()` windows with integer arithmetic
on a whole-number percent (exact, no float floor).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Date, Float, Integer, case, cast, func
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement


class hours_between(FunctionElement[float]):  # noqa: N801 - reads like a SQL function
    """`later - earlier` in hours, as a float (negative when `later` is earlier)."""

    type = Float()
    inherit_cache = True
    name = "hours_between"


@compiles(hours_between, "sqlite")
def _hours_sqlite(element: hours_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return (
        f"((julianday({compiler.process(later, **kw)}) - "
        f"julianday({compiler.process(earlier, **kw)})) * 24.0)"
    )


@compiles(hours_between, "postgresql")
def _hours_postgresql(element: hours_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return (
        f"CAST(EXTRACT(EPOCH FROM ({compiler.process(later, **kw)} - "
        f"{compiler.process(earlier, **kw)})) / 3600.0 AS DOUBLE PRECISION)"
    )


class iso_week_start(FunctionElement[Any]):  # noqa: N801
    """The Monday (a UTC date) of the ISO week a timestamp falls in."""

    type = Date()
    inherit_cache = True
    name = "iso_week_start"


@compiles(iso_week_start, "sqlite")
def _week_sqlite(element: iso_week_start, compiler: SQLCompiler, **kw: Any) -> str:
    (at,) = list(element.clauses)
    # 'weekday 0' moves forward to the next Sunday (or stays on one); six days back is
    # that ISO week's Monday. Stored timestamps are naive UTC text.
    return f"date({compiler.process(at, **kw)}, 'weekday 0', '-6 days')"


@compiles(iso_week_start, "postgresql")
def _week_postgresql(element: iso_week_start, compiler: SQLCompiler, **kw: Any) -> str:
    (at,) = list(element.clauses)
    return f"CAST(date_trunc('week', {compiler.process(at, **kw)} AT TIME ZONE 'UTC') AS DATE)"


def rank_columns(
    value: ColumnElement[Any], *partition_by: ColumnElement[Any]
) -> tuple[ColumnElement[int], ColumnElement[int]]:
    """(rank, count) window columns to select next to `value` for `percentile`: the
    value's 1-based rank in ascending order and how many values its group has."""
    rank = func.row_number().over(partition_by=partition_by or None, order_by=value)
    # the same partition and order as the rank, over the whole partition: both databases
    # then sort once for the two windows
    count = func.count().over(partition_by=partition_by or None, order_by=value, rows=(None, None))
    return rank.label("pct_rank"), count.label("pct_n")


def percentile(
    percent: int, value: ColumnElement[Any], rank: ColumnElement[Any], n: ColumnElement[Any]
) -> ColumnElement[float]:
    """An aggregate: the `percent`-th percentile (0..100) of `value` in each group, by
    linear interpolation (see the module docstring), over rows ranked by `rank_columns`.
    None for an empty group."""
    if not 0 <= percent <= 100:
        raise ValueError(f"percent must be within 0..100, got {percent}")
    scaled = (n - 1) * percent  # h - 1 = scaled / 100
    low = scaled // 100 + 1
    fraction = (scaled % 100) * 1.0 / 100
    weight = case(
        (rank == low, 1 - fraction),
        (rank == low + 1, fraction),
        else_=None,
    )
    return func.sum(value * weight, type_=Float())


def as_int(expression: ColumnElement[Any]) -> ColumnElement[int]:
    """CAST(COALESCE(expression, 0) AS INTEGER): SUM over no rows is NULL, and PostgreSQL
    sums integers as numeric."""
    return cast(func.coalesce(expression, 0), Integer())


__all__ = ["as_int", "hours_between", "iso_week_start", "percentile", "rank_columns"]
