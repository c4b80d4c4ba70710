"""The one result shape every report returns, so pages render, chart and download any
section with no per-report code.

A `Section` holds `Table`s (the numbers) and `Chart`s; every chart is drawn from the
numbers of one of the section's tables (`Chart.table_key`), so a CSV download of that
table always shows what the chart shows.

Cell values by column kind (None is "no value", e.g. a rate with no denominator):

- "text": str; "int": int;
- "pct": a fraction in [0, 1] as float (0.25 is 25 %; the page formats it);
- "hours": float hours;
- "date": `datetime.date`; "datetime": aware UTC `datetime.datetime`.

Text cells are returned verbatim (a prospect's words may contain markup): escaping is
the page's job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

ColumnKind = Literal["text", "int", "pct", "hours", "date", "datetime"]
ChartKind = Literal["bar", "stacked", "line"]
Cell = str | int | float | date | datetime | None


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    """Stable identifier (CSV header, test lookups)."""
    label: str
    """Human header; says which denominator a rate uses."""
    kind: ColumnKind = "text"


@dataclass(frozen=True, slots=True)
class Table:
    key: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    note: str = ""
    """What the numbers count (which timestamp the date range applies to, ...)."""

    def column(self, key: str) -> list[Cell]:
        """Every row's value in column `key`."""
        index = self.index(key)
        return [row[index] for row in self.rows]

    def index(self, key: str) -> int:
        for i, column in enumerate(self.columns):
            if column.key == key:
                return i
        raise KeyError(f"{self.key} has no column {key!r}")

    def as_dicts(self) -> list[dict[str, Cell]]:
        """The rows keyed by column key (for JSON and tests)."""
        keys = [c.key for c in self.columns]
        return [dict(zip(keys, row, strict=True)) for row in self.rows]


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    values: tuple[int | float | None, ...]
    """One value per chart label."""


@dataclass(frozen=True, slots=True)
class Chart:
    key: str
    title: str
    kind: ChartKind
    labels: tuple[str, ...]
    """The x axis (categories or weeks)."""
    series: tuple[Series, ...]
    table_key: str
    """The table of the same section holding these numbers."""
    value_kind: ColumnKind = "int"


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    title: str
    tables: tuple[Table, ...] = ()
    charts: tuple[Chart, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)
    """Definitions the page shows under the section (denominators, timestamps, methods)."""

    def table(self, key: str) -> Table:
        for table in self.tables:
            if table.key == key:
                return table
        raise KeyError(f"section {self.key} has no table {key!r}")

    def chart(self, key: str) -> Chart:
        for chart in self.charts:
            if chart.key == key:
                return chart
        raise KeyError(f"section {self.key} has no chart {key!r}")


def chart_from_table(
    table: Table,
    key: str,
    title: str,
    kind: ChartKind,
    *,
    label_column: str,
    value_columns: tuple[str, ...],
) -> Chart:
    """A chart of `value_columns` (one series each) against `label_column`, from `table`'s
    own rows: the chart cannot disagree with its table."""
    label_index = table.index(label_column)
    labels = tuple(_label(row[label_index]) for row in table.rows)
    series = []
    kinds = set()
    for column_key in value_columns:
        index = table.index(column_key)
        kinds.add(table.columns[index].kind)
        values = tuple(_number(row[index]) for row in table.rows)
        series.append(Series(table.columns[index].label, values))
    value_kind: ColumnKind = kinds.pop() if len(kinds) == 1 else "int"
    return Chart(key, title, kind, labels, tuple(series), table.key, value_kind)


def _label(value: Cell) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return "" if value is None else str(value)


def _number(value: Cell) -> int | float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


__all__ = [
    "Cell",
    "Chart",
    "ChartKind",
    "Column",
    "ColumnKind",
    "Section",
    "Series",
    "Table",
    "chart_from_table",
]
