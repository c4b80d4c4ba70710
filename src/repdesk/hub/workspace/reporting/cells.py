"""Any report `Section` as a page shows it and a CSV download holds it, with no per-report
code: cell text by column kind, numeric alignment, CSV values, and each chart's JSON (drawn
by `static/charts.js`) placed beside the table that holds its numbers."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from repdesk.hub.reports import Cell, Chart, Column, Section, Table
from repdesk.hub.workspace.rendering import format_when

NO_VALUE = "–"
NUMERIC_KINDS = frozenset({"int", "pct", "hours"})


def show(value: Cell, kind: str) -> str:
    """A cell as the page shows it (plain text; the template escapes it)."""
    if value is None:
        return NO_VALUE
    if kind == "pct" and isinstance(value, int | float):
        return f"{value * 100:.1f} %"
    if kind == "hours" and isinstance(value, int | float):
        return f"{value:,.1f}"
    if kind == "int" and isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, datetime):
        return format_when(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def csv_value(value: Cell, kind: str) -> str | int | float | None:
    """A cell as the CSV holds it: numbers plain (a rate as a fraction, hours to 2
    decimals), dates ISO 8601, text verbatim (`csv_download` neutralises formulas)."""
    if value is None:
        return None
    if kind == "pct" and isinstance(value, int | float):
        return round(float(value), 4)
    if kind == "hours" and isinstance(value, int | float):
        return round(float(value), 2)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def csv_rows(table: Table) -> Iterator[Mapping[str, object]]:
    kinds = [c.kind for c in table.columns]
    keys = [c.key for c in table.columns]
    for row in table.rows:
        yield {k: csv_value(v, kind) for k, v, kind in zip(keys, row, kinds, strict=True)}


def chart_payload(chart: Chart) -> dict[str, Any]:
    """What `charts.js` draws (serialised with `|tojson`, which escapes markup)."""
    return {
        "kind": chart.kind,
        "labels": list(chart.labels),
        "series": [{"name": s.name, "values": list(s.values)} for s in chart.series],
        "valueKind": chart.value_kind,
    }


MAX_ROWS_SHOWN = 500
"""A page lists at most this many rows of a table; its CSV holds them all."""


def shown_on_page(column: Column) -> bool:
    """Ids (lead_id, collateral_id, ...) are for the CSV, not for people reading the page."""
    return not column.key.endswith("_id")


@dataclass(frozen=True, slots=True)
class TableView:
    table: Table
    charts: tuple[Chart, ...]
    """The charts drawn from this table's numbers (shown above it)."""
    dom_id: str

    @property
    def columns(self) -> list[Column]:
        return [c for c in self.table.columns if shown_on_page(c)]

    @property
    def truncated(self) -> bool:
        return len(self.table.rows) > MAX_ROWS_SHOWN

    @property
    def shown_count(self) -> int:
        return min(len(self.table.rows), MAX_ROWS_SHOWN)

    def cells(self) -> Iterator[list[tuple[str, str]]]:
        """Each row shown as (text, CSS class) per column shown."""
        kept = [(i, c.kind) for i, c in enumerate(self.table.columns) if shown_on_page(c)]
        for row in self.table.rows[:MAX_ROWS_SHOWN]:
            yield [(show(row[i], kind), cell_class(kind)) for i, kind in kept]


def table_view(table: Table, section_key: str, charts: tuple[Chart, ...] = ()) -> TableView:
    return TableView(table, charts, f"{section_key}-{table.key}".replace("_", "-"))


def table_views(section: Section, *, skip: frozenset[str] = frozenset()) -> list[TableView]:
    """The section's tables in order (except `skip`), each with its charts."""
    return [
        table_view(table, section.key, tuple(c for c in section.charts if c.table_key == table.key))
        for table in section.tables
        if table.key not in skip
    ]


def cell_class(kind: str) -> str:
    """ "num" (right-aligned figures), "when" (dates kept on one line) or ""."""
    if kind in NUMERIC_KINDS:
        return "num"
    return "when" if kind in ("date", "datetime") else ""


def is_numeric(column: Column) -> bool:
    return column.kind in NUMERIC_KINDS


__all__ = [
    "MAX_ROWS_SHOWN",
    "NO_VALUE",
    "TableView",
    "cell_class",
    "chart_payload",
    "csv_rows",
    "csv_value",
    "is_numeric",
    "show",
    "shown_on_page",
    "table_view",
    "table_views",
]
