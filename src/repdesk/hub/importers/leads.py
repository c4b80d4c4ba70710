"""Lead importer: Salesforce Lead exports, HubSpot contact exports and repdesk CSV/JSONL."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from operator import itemgetter
from pathlib import Path
from typing import Any

from repdesk.hub.importers import values as v
from repdesk.hub.importers.lead_rows import SOURCE_FIELDS, LeadRecord, RowChecker
from repdesk.hub.importers.reading import (
    ImportFileError,
    jsonl_rows,
    read_table,
)
from repdesk.hub.importers.result import FirstSeen, ImportResult, RowError, Sample, split_rows

log = logging.getLogger(__name__)


# header key (see values.key) -> LeadRecord field (or a pseudo field handled below)
SALESFORCE_COLUMNS: dict[str, str] = {
    "id": "external_id",
    "leadid": "external_id",
    "firstname": "first_name",
    "lastname": "last_name",
    "company": "company",
    "title": "title",
    "email": "email",
    "phone": "phone",
    "mobilephone": "mobile",
    "leadsource": "source",
    "status": "sf_status",
    "leadstatus": "sf_status",
    "rating": "rating",
    "industry": "industry",
    "numberofemployees": "company_size",
    "employees": "company_size",
    "country": "country",
    "description": "marketing_notes",
    "createddate": "created_at",
    "ownerid": "owner",
    "leadowner": "owner",
    "leadscorec": "score",
}
HUBSPOT_COLUMNS: dict[str, str] = {
    "recordid": "external_id",
    "firstname": "first_name",
    "lastname": "last_name",
    "email": "email",
    "phonenumber": "phone",
    "mobilephonenumber": "mobile",
    "jobtitle": "title",
    "companyname": "company",
    "contactowner": "owner",
    "lifecyclestage": "stage",
    "leadstatus": "status",
    "createdate": "created_at",
    "industry": "industry",
    "numberofemployees": "company_size",
    "countryregion": "country",
    "hubspotscore": "score",
    "originalsource": "source",
    "message": "marketing_notes",
}
REPDESK_FIELDS: tuple[str, ...] = LeadRecord._fields[1:]
_REPDESK_ALIASES = {"owner_email": "owner", "campaign": "source", "id": "external_id"}

EXPECTED = (
    "a Salesforce Lead export (Id, FirstName, LastName, Company, Email, Status, ...), "
    "a HubSpot contacts export (Record ID, First Name, Last Name, Email, "
    "Lifecycle Stage, ...), or repdesk CSV/JSONL (external_id, first_name, last_name, "
    "company, email, ...)"
)


def detect_format(header: list[str]) -> str | None:
    raw = {h.strip() for h in header}
    keys = {v.key(h) for h in header}
    repdesk_names = set(REPDESK_FIELDS) | set(_REPDESK_ALIASES)
    if raw and raw <= repdesk_names and raw & {"external_id", "email"}:
        return "repdesk-csv"
    hubspot_only = {"recordid", "contactowner", "lifecyclestage", "companyname", "hubspotscore"}
    if "recordid" in keys or len(keys & hubspot_only) >= 2:
        return "hubspot"
    if {"lastname", "company"} <= keys or {"id", "lastname"} <= keys:
        return "salesforce"
    return None


class LeadStream:
    """A lead export opened for streaming: its format and encoding are known; iterating
    reads the file once, yielding each good `LeadRecord` or a `RowError`, in file order
    (a second occurrence of an id/email is an error naming the first line).

    The header is read once into a plan (`_Plan`: which cell feeds which field); each row
    is then one `itemgetter` call and one `RowChecker.record` call (`lead_rows`): the checks of a
    plain row in a few C calls, anything unusual through the same per-field checks as
    before (`lead_rows.reference`), so both give the same record or the same message."""

    def __init__(self, path: Path | str, *, encoding: str | None = None) -> None:
        self.path = path = Path(path)
        self.table = table = read_table(
            path, lambda header: detect_format(header) is not None, encoding=encoding
        )
        self.columns: dict[str, str] | None = None
        if table.kind == "jsonl":
            self.format = "repdesk-jsonl"
        else:
            found = detect_format(table.header)
            if found is None:
                shown = ", ".join(table.header[:8]) + (", ..." if len(table.header) > 8 else "")
                raise ImportFileError(
                    f"{path.name}: the header row ({shown}) is not one repdesk knows. "
                    f"Expected {EXPECTED}."
                )
            self.format = found
            self.columns = {"salesforce": SALESFORCE_COLUMNS, "hubspot": HUBSPOT_COLUMNS}.get(found)
        self.decoding = table.decoding
        columns = self.columns
        self.extra_columns = tuple(
            h for h in table.header if columns is not None and v.key(h) not in columns
        )
        self.sample = Sample()
        """Names as decoded, filled while iterating."""

    def __iter__(self) -> Iterator[LeadRecord | RowError]:
        checker = RowChecker(self.format)
        build = checker.record
        check = FirstSeen().check
        sample = self.sample
        rows = self._jsonl_rows() if self.table.kind == "jsonl" else self._csv_rows()
        for line, raw, problem in rows:
            if problem:
                yield RowError(line, problem)
                continue
            try:
                record = build(line, raw)
            except v.BadValue as exc:
                yield RowError(line, str(exc))
                continue
            earlier = check(record[1] or record[5], hash(record[1:]), line)  # id or email
            if earlier is not None:
                first_line, same = earlier
                what = "the same row as" if same else "the same id/email as"
                yield RowError(line, f"{what} line {first_line}; kept line {first_line}")
                continue
            if not sample.full:
                sample.add(f"{record.first_name} {record.last_name}".strip() or record.company)
            yield record

    def _csv_rows(self) -> Iterator[tuple[int, tuple[str, ...], str]]:
        """(line, the cells of SOURCE_FIELDS, problem) per CSV row."""
        header = self.table.header
        columns = self.columns
        plan = _Plan(
            header,
            (lambda h: _REPDESK_ALIASES.get(h, h))
            if columns is None
            else (lambda h: columns.get(v.key(h))),
        )
        width, pick, merge = len(header), plan.pick, plan.merge
        for line, cells, problem in self.table.records():
            if problem:
                yield line, (), problem
                continue
            count = len(cells)
            if count > width:
                if any(c.strip() for c in cells[width:]):
                    yield line, (), f"has {count} columns but the header has {width}"
                    continue
                del cells[width:]
            elif count < width:
                cells.extend([""] * (width - count))
            cells.append("")  # what a field with no column reads
            yield line, (merge(pick(cells), cells) if merge else pick(cells)), ""

    def _jsonl_rows(self) -> Iterator[tuple[int, tuple[str, ...], str]]:
        for line, row, problem in jsonl_rows(self.table.objects):
            if problem:
                yield line, (), problem
                continue
            try:
                mapped = _repdesk_map(row)
            except v.BadValue as exc:
                yield line, (), str(exc)
                continue
            yield line, tuple(mapped.get(name, "") for name in SOURCE_FIELDS), ""


class _Plan:
    """Which cells feed which of SOURCE_FIELDS, from the header, once per file. `pick`
    takes them out of a row in one call (a field with no column reads the empty cell
    appended at the row's end); `merge` (None unless two columns feed one field, e.g. Id
    and Lead ID) puts each such field's first non-empty cell in its place."""

    def __init__(self, header: list[str], target: Callable[[str], str | None]) -> None:
        positions: dict[str, list[int]] = {}
        for index, name in enumerate(header):
            field = target(name)
            if field in SOURCE_FIELDS:
                positions.setdefault(field, []).append(index)
        empty = len(header)
        self.pick = itemgetter(*(positions.get(f, [empty])[0] for f in SOURCE_FIELDS))
        self._several = [
            (SOURCE_FIELDS.index(f), tuple(found))
            for f, found in positions.items()
            if len(found) > 1
        ]
        self.merge = self._merge if self._several else None

    def _merge(self, picked: tuple[str, ...], cells: list[str]) -> tuple[str, ...]:
        out = list(picked)
        for slot, indexes in self._several:
            out[slot] = next((cells[i] for i in indexes if cells[i].strip()), "")
        return tuple(out)


def parse_leads(path: Path | str, *, encoding: str | None = None) -> ImportResult[LeadRecord]:
    """Read a whole lead export into memory (imports stream with `LeadStream`). Bad rows
    become RowErrors; a bad file raises ImportFileError. `encoding` forces one (else it
    is found: see `importers.encoding`)."""
    stream = LeadStream(path, encoding=encoding)
    records, errors = split_rows(stream)
    log.info(
        "%s: %s, %d leads, %d errors", stream.path.name, stream.format, len(records), len(errors)
    )
    decoding = stream.decoding
    return ImportResult(
        records,
        errors,
        stream.format,
        decoding.encoding,
        stream.extra_columns,
        decoding.how,
        stream.sample.values(),
    )


def _repdesk_map(row: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in row.items():
        target = _REPDESK_ALIASES.get(name, name)
        if target not in REPDESK_FIELDS:
            raise v.BadValue(f"unknown field {name!r}")
        if value is None:
            continue
        if isinstance(value, dict | list):
            raise v.BadValue(f"{name} must be a single value")
        out[target] = str(value)
    return out
