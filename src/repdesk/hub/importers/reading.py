"""Turn an export file into rows with physical line numbers: decoding, CSV dialect, JSONL.

Files are streamed, never held whole: the encoding is found (and every byte checked) in a
chunked pass (`importers.encoding`), the format and the delimiter from a leading sample,
then rows are decoded and split as they are read, each time the table is iterated.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from repdesk.hub.importers.encoding import Decoding, detect_encoding
from repdesk.hub.importers.result import ImportFileError

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 512 * 1024 * 1024
_DELIMITERS = ",;\t|"
_SAMPLE_CHARS = 64 * 1024
"""Text the format and delimiter are found from (the header must end inside it)."""
# Files people pick by mistake; naming them beats "unknown header".
_BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a zip archive or an Excel workbook (.xlsx): save it as CSV first"),
    (b"\xd0\xcf\x11\xe0", "an old Excel/Office file (.xls): save it as CSV first"),
    (b"%PDF", "a PDF document"),
)

Record = tuple[int, list[str], str]
"""(physical line where the record starts, cells, problem): a problem text means the
record could not be read as a row (cells are then empty)."""


@dataclass(frozen=True, slots=True)
class RawTable:
    """A file ready to stream: either CSV (header, then rows) or JSONL (objects). Each
    iteration of `records()` / `objects` reads the file again from the start."""

    kind: str
    """"csv" or "jsonl"."""
    decoding: Decoding
    header: list[str]
    path: Path
    delimiter: str = ","

    @property
    def encoding(self) -> str:
        return self.decoding.encoding

    def _open(self, newline: str) -> IO[str]:
        return self.path.open(encoding=self.decoding.encoding, newline=newline)

    def records(self) -> Iterator[Record]:
        """CSV records after the header, with the physical line each starts on."""
        with self._open("") as stream:
            before_header = True
            for record in split_records(stream, self.delimiter):
                if before_header and not record[2]:
                    before_header = False  # the header itself
                    continue
                yield record

    @property
    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(line, cells) of the readable CSV records."""
        return ((line, cells) for line, cells, problem in self.records() if not problem)

    @property
    def objects(self) -> Iterator[tuple[int, Any]]:
        """(physical line, parsed JSON or a problem text) of each non-blank JSONL line."""
        # Only "\n" ends a JSONL record (U+2028 inside strings must not split a line).
        with self._open("\n") as stream:
            for number, raw in enumerate(stream, start=1):
                line = raw.removesuffix("\n").removesuffix("\r")
                if not line.strip():
                    continue
                try:
                    yield number, json.loads(line)
                except json.JSONDecodeError as exc:
                    yield number, _JsonProblem(f"not valid JSON ({exc.msg})")


def _refuse_binary(head: bytes, name: str) -> None:
    for magic, why in _BINARY_SIGNATURES:
        if head.startswith(magic):
            raise ImportFileError(f"{name} is {why}, not a CSV or JSONL export.")


def read_table(
    path: Path, recognise: Callable[[list[str]], bool], *, encoding: str | None = None
) -> RawTable:
    """Open a file for streaming; raises ImportFileError for unreadable/empty/binary files.

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
        with path.open(encoding=decoding.encoding, newline="") as text:
            sample = _leading_sample(text)
    except OSError as exc:
        raise ImportFileError(f"Cannot read {path}: {exc.strerror or exc}") from exc
    if "\x00" in sample:
        raise ImportFileError(f"{name} is not a text file, so it is not a CSV or JSONL export.")
    if not sample.strip():
        raise ImportFileError(f"{name} is empty.")
    if sample.lstrip()[:1] in "{[":
        table = RawTable("jsonl", decoding, [], path)
        _refuse_json_array(table, name)
        return table
    candidates = candidate_delimiters(sample)
    delimiter = next((d for d in candidates if recognise(_first_row(sample, d))), candidates[0])
    with path.open(encoding=decoding.encoding, newline="") as text:
        first = next((r for r in split_records(text, delimiter) if not r[2]), None)
    header = first[1] if first is not None else []
    return RawTable("csv", decoding, header, path, delimiter)


def _leading_sample(stream: IO[str]) -> str:
    """The first 64K characters, read on while they are all blank (an empty file)."""
    sample = stream.read(_SAMPLE_CHARS)
    while sample and not sample.strip():
        more = stream.read(_SAMPLE_CHARS)
        if not more:
            break
        sample = more
    return sample


def _refuse_json_array(table: RawTable, name: str) -> None:
    """A JSON array on one line (what "export as JSON" gives) is not JSONL."""
    with table._open("\n") as stream:
        lines = (line for line in stream if line.strip())
        first = next(lines, "")
        if first.lstrip().startswith("[") and next(lines, None) is None:
            raise ImportFileError(
                f"{name} is a JSON array; repdesk expects JSONL (one object per line)."
            )


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


def split_records(stream: IO[str], delimiter: str) -> Iterator[Record]:
    """The header (first) and then every record, each with the physical line it starts on;
    blank lines skipped. Streams: one record in memory at a time.

    Records that cannot be rows carry a problem instead of vanishing: a record the csv
    module refuses (e.g. a field over its size limit), and a quote that is never closed,
    which makes the csv module swallow the following lines into one field.
    """
    reader = csv.reader(stream, delimiter=delimiter, strict=False)
    width = 0
    """The header's width; 0 until the header is read."""
    start = 1
    while True:
        line = start
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            start = reader.line_num + 1
            yield line, [], f"could not be read as CSV ({exc})"
            continue
        end = reader.line_num
        start = end + 1
        if not cells or not (cells[0].strip() or "".join(cells).strip()):
            continue  # a blank line (or only delimiters)
        if not width:
            header = [c.strip().lstrip("\ufeff") for c in cells]
            width = len(header)
            yield line, header, ""
            continue
        if end > line and _swallowed_rows(cells, delimiter, width):
            yield (
                line,
                [],
                f"a quoted field opened on this line is never closed, so lines {line}-{end} "
                "ran together and none of them was imported; close the quote and import again",
            )
            continue
        yield line, cells, ""


def split_csv(
    text: str, delimiter: str, problems: dict[int, str] | None = None
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """`split_records` of a text held in memory: (header, rows); problems to `problems`."""
    problems = {} if problems is None else problems
    header: list[str] = []
    rows: list[tuple[int, list[str]]] = []
    for line, cells, problem in split_records(io.StringIO(text, newline=""), delimiter):
        if problem:
            problems[line] = problem
        elif not header:
            header = cells
        else:
            rows.append((line, cells))
    return header, rows


def _swallowed_rows(cells: list[str], delimiter: str, width: int) -> bool:
    """A line inside one cell that carries a whole row's delimiters: an unclosed quote ran
    into the next rows (a real multi-line note or address has far fewer)."""
    threshold = max(2, width - 1)
    return any(
        part.count(delimiter) >= threshold for cell in cells for part in cell.splitlines()[1:]
    )


def iter_cells(table: RawTable) -> Iterator[Record]:
    """CSV rows as cell lists padded to the header's width, in file order; a row with more
    (non-empty) cells than the header carries a problem."""
    width = len(table.header)
    for line, cells, problem in table.records():
        if problem:
            yield line, cells, problem
        elif len(cells) > width and any(c.strip() for c in cells[width:]):
            yield line, cells, f"has {len(cells)} columns but the header has {width}"
        elif len(cells) < width:
            yield line, cells + [""] * (width - len(cells)), ""
        else:
            yield line, cells, ""


def iter_dicts(table: RawTable) -> Iterator[tuple[int, dict[str, str], str]]:
    """CSV rows as {header: cell}; a row with the wrong cell count carries a problem text."""
    for line, cells, problem in iter_cells(table):
        yield line, ({} if problem else dict(zip(table.header, cells, strict=False))), problem


def jsonl_rows(objects: Iterator[tuple[int, Any]]) -> Iterator[tuple[int, dict[str, Any], str]]:
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
    "Record",
    "candidate_delimiters",
    "is_json_problem",
    "iter_cells",
    "iter_dicts",
    "jsonl_rows",
    "read_table",
    "split_csv",
    "split_records",
]
