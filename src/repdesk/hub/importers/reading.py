"""Turn an export file into rows with physical line numbers: decoding, CSV dialect, JSONL."""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from repdesk.hub.importers.encoding import Decoding, detect_encoding
from repdesk.hub.importers.result import ImportFileError

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 512 * 1024 * 1024
_DELIMITERS = ",;\t|"
# Files people pick by mistake; naming them beats "unknown header".
_BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a zip archive or an Excel workbook (.xlsx): save it as CSV first"),
    (b"\xd0\xcf\x11\xe0", "an old Excel/Office file (.xls): save it as CSV first"),
    (b"%PDF", "a PDF document"),
)


@dataclass(frozen=True, slots=True)
class RawTable:
    """A decoded file: either CSV (header + rows) or JSONL (objects)."""

    kind: str
    """"csv" or "jsonl"."""
    decoding: Decoding
    header: list[str]
    rows: list[tuple[int, list[str]]]
    """(physical line where the record starts, cells); CSV only."""
    objects: list[tuple[int, Any]]
    """(physical line, parsed JSON or the exception text); JSONL only."""
    delimiter: str = ","
    problems: dict[int, str] = field(default_factory=dict)
    """CSV records that could not be read as rows: physical line -> reason."""


def _refuse_binary(head: bytes, name: str) -> None:
    for magic, why in _BINARY_SIGNATURES:
        if head.startswith(magic):
            raise ImportFileError(f"{name} is {why}, not a CSV or JSONL export.")


def read_table(
    path: Path, recognise: Callable[[list[str]], bool], *, encoding: str | None = None
) -> RawTable:
    """Read and split a file; raises ImportFileError for unreadable/empty/binary files.

    For CSV, `recognise` says whether a header row is one the caller knows; the first
    candidate delimiter giving a recognised header wins (Sniffer alone misreads short
    files and Excel-EU `;` files whose cells contain commas).
    """
    name = path.name
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ImportFileError(f"{name} is larger than {MAX_FILE_BYTES // 2**20} MB.")
        with path.open("rb") as stream:
            _refuse_binary(stream.read(8), name)
        decoding = detect_encoding(path, forced=encoding)
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(f"Cannot read {path}: {exc.strerror or exc}") from exc
    text = data.decode(decoding.encoding)
    if "\x00" in text:
        raise ImportFileError(f"{name} is not a text file, so it is not a CSV or JSONL export.")
    if not text.strip():
        raise ImportFileError(f"{name} is empty.")
    first = text.lstrip()[:1]
    if first in "{[":
        return _read_jsonl(text, decoding, name)
    return _read_csv(text, decoding, recognise)


def _read_jsonl(text: str, decoding: Decoding, name: str) -> RawTable:
    objects: list[tuple[int, Any]] = []
    # Only "\n" ends a JSONL record: str.splitlines would also split on U+2028 inside strings.
    lines = [ln.removesuffix("\r") for ln in text.split("\n")]
    if text.lstrip().startswith("[") and len([ln for ln in lines if ln.strip()]) == 1:
        raise ImportFileError(
            f"{name} is a JSON array; repdesk expects JSONL (one object per line)."
        )
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            objects.append((number, json.loads(line)))
        except json.JSONDecodeError as exc:
            objects.append((number, _JsonProblem(f"not valid JSON ({exc.msg})")))
    return RawTable("jsonl", decoding, [], [], objects)


class _JsonProblem(str):
    """Marks a JSONL line that did not parse (kept so its line is reported, not dropped)."""


def is_json_problem(value: object) -> bool:
    return isinstance(value, _JsonProblem)


def candidate_delimiters(text: str) -> list[str]:
    """csv.Sniffer's pick first, then the others by how often they occur in the header."""
    header_line = text.lstrip("\r\n").splitlines()[0] if text.strip() else ""
    order = sorted(_DELIMITERS, key=lambda d: -header_line.count(d))
    try:
        sniffed = csv.Sniffer().sniff(text[:65536], delimiters=_DELIMITERS).delimiter
    except csv.Error:
        return order
    return [sniffed, *[d for d in order if d != sniffed]]


def _first_row(text: str, delimiter: str) -> list[str]:
    for cells in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False):
        if any(c.strip() for c in cells):
            return [c.strip().lstrip("\ufeff") for c in cells]
    return []


def _read_csv(text: str, decoding: Decoding, recognise: Callable[[list[str]], bool]) -> RawTable:
    candidates = candidate_delimiters(text)
    delimiter = next((d for d in candidates if recognise(_first_row(text, d))), candidates[0])
    problems: dict[int, str] = {}
    header, rows = split_csv(text, delimiter, problems)
    return RawTable("csv", decoding, header, rows, [], delimiter, problems)


def split_csv(
    text: str, delimiter: str, problems: dict[int, str] | None = None
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and rows, each row with the physical line it starts on; blank lines skipped.

    Records that cannot be rows go to `problems` (line -> reason) instead of vanishing: a
    record the csv module refuses (e.g. a field over its size limit), and a quote that is
    never closed, which makes the csv module swallow the following lines into one field.
    """
    problems = {} if problems is None else problems
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    header: list[str] = []
    rows: list[tuple[int, list[str]]] = []
    start = 1
    while True:
        line = start
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            start = reader.line_num + 1
            problems[line] = f"could not be read as CSV ({exc})"
            continue
        end = reader.line_num
        start = end + 1
        if not any(c.strip() for c in cells):
            continue
        if not header:
            header = [c.strip().lstrip("\ufeff") for c in cells]
            continue
        if end > line and _swallowed_rows(cells, delimiter, len(header)):
            problems[line] = (
                f"a quoted field opened on this line is never closed, so lines {line}-{end} "
                "ran together and none of them was imported; close the quote and import again"
            )
            continue
        rows.append((line, cells))
    return header, rows


def _swallowed_rows(cells: list[str], delimiter: str, width: int) -> bool:
    """A line inside one cell that carries a whole row's delimiters: an unclosed quote ran
    into the next rows (a real multi-line note or address has far fewer)."""
    threshold = max(2, width - 1)
    return any(
        part.count(delimiter) >= threshold for cell in cells for part in cell.splitlines()[1:]
    )


def iter_dicts(table: RawTable) -> Iterator[tuple[int, dict[str, str], str]]:
    """CSV rows as {header: cell}; a row with the wrong cell count carries a problem text."""
    width = len(table.header)
    for line, reason in sorted(table.problems.items()):
        yield line, {}, reason
    for line, cells in table.rows:
        problem = ""
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            problem = f"has {len(cells)} columns but the header has {width}"
        padded = cells + [""] * (width - len(cells))
        yield line, dict(zip(table.header, padded, strict=False)), problem


def jsonl_rows(objects: list[tuple[int, Any]]) -> Iterator[tuple[int, dict[str, Any], str]]:
    """JSONL objects as (line, object, problem): broken lines and non-objects carry a reason."""
    for line, obj in objects:
        if is_json_problem(obj):
            yield line, {}, str(obj)
        elif not isinstance(obj, dict):
            yield line, {}, "is not a JSON object"
        else:
            yield line, obj, ""


__all__ = [
    "MAX_FILE_BYTES",
    "ImportFileError",
    "RawTable",
    "candidate_delimiters",
    "is_json_problem",
    "iter_dicts",
    "jsonl_rows",
    "read_table",
    "split_csv",
]
