"""CSV downloads from workspace pages, with every formula-like cell neutralised (the same
rule as the feedback export: `repdesk.hub.admin.feedback.neutralise_cells`)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence

from fastapi import Response

from repdesk.hub.admin.feedback import neutralise_cells

_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def csv_download(
    filename: str, columns: Sequence[str], rows: Iterable[Mapping[str, object]]
) -> Response:
    """A CSV attachment named `filename` (reduced to safe characters) with a header row of
    `columns` and one line per row (missing keys empty, None as empty, the rest str())."""
    stream = io.StringIO()
    writer = csv.DictWriter(stream, fieldnames=list(columns), lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        cells = {c: "" if row.get(c) is None else str(row.get(c)) for c in columns}
        writer.writerow(neutralise_cells(cells))
    safe = _UNSAFE_NAME.sub("-", filename).strip(".-") or "export.csv"
    if not safe.lower().endswith(".csv"):
        safe += ".csv"
    return Response(
        # A BOM so Excel reads the file as UTF-8 (names with accents stay right).
        content="\ufeff" + stream.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{safe}"'},
    )


__all__ = ["csv_download"]
