"""Reading a rendered page the way a person would: the text of each table's cells, by the
id of the `<section>` around it (stdlib HTML parser, no dependency)."""

from __future__ import annotations

from html.parser import HTMLParser


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: list[str] = []
        self.tables: dict[str, list[list[str]]] = {}
        self._rows: list[list[str]] | None = None
        self._cell: list[str] | None = None
        self._depth: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "section":
            self._depth.append(found.get("id") or "")
        elif tag == "table":
            self._rows = []
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("td", "th") and self._rows is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "section" and self._depth:
            self._depth.pop()
        elif tag == "table" and self._rows is not None:
            key = next((s for s in reversed(self._depth) if s), "")
            self.tables[key] = self._rows
            self._rows = None
        elif tag in ("td", "th") and self._cell is not None and self._rows:
            self._rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def tables_of(html: str) -> dict[str, list[list[str]]]:
    """{section id: [header row, *body rows]} for every table on the page."""
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def rows_by_first_cell(table: list[list[str]]) -> dict[str, dict[str, str]]:
    """{first cell: {header: cell}} of a table's body rows."""
    header, *body = table
    return {row[0]: dict(zip(header, row, strict=True)) for row in body}


__all__ = ["rows_by_first_cell", "tables_of"]
