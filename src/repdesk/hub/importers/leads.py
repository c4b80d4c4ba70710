"""Lead importer: Salesforce Lead exports, HubSpot contact exports and repdesk CSV/JSONL."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from datetime import datetime
from operator import attrgetter
from pathlib import Path
from typing import Any

from repdesk.domain.leads import LeadStatus, LifecycleStage
from repdesk.hub.importers import values as v
from repdesk.hub.importers.limits import LEAD_LIMITS
from repdesk.hub.importers.reading import (
    ImportFileError,
    iter_cells,
    jsonl_rows,
    read_table,
)
from repdesk.hub.importers.result import FirstSeen, ImportResult, RowError, Sample, split_rows

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LeadRecord:
    """One lead as read from a file, normalised onto the domain's vocabulary."""

    line: int
    external_id: str = ""
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    email: str = ""
    title: str = ""
    industry: str = ""
    company_size: int | None = None
    phone: str = ""
    country: str = ""
    lifecycle_stage: LifecycleStage = LifecycleStage.MQL
    lead_status: LeadStatus = LeadStatus.NEW
    score: int = 0
    marketing_notes: str = ""
    created_at: datetime | None = None
    owner: str = ""
    """The owner as the file names it: a rep's email, a name, or a CRM user id."""
    source: str = ""
    """Lead source / campaign name as the file names it."""


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
REPDESK_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(LeadRecord) if f.name != "line")
_content = attrgetter(*REPDESK_FIELDS)
"""A record's values without its line: equal for "the same row" twice."""
_REPDESK_ALIASES = {"owner_email": "owner", "campaign": "source", "id": "external_id"}

# Salesforce has no score field; its Rating picklist gives a coarse one.
_RATING_SCORE = {"hot": 80, "warm": 50, "cold": 20}

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
    (a second occurrence of an id/email is an error naming the first line)."""

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
        builder = _BUILDERS[self.format]
        seen = FirstSeen()
        for line, mapped, problem in self._mapped_rows():
            if problem:
                yield RowError(line, problem)
                continue
            try:
                record = builder(line, mapped)
            except v.BadValue as exc:
                yield RowError(line, str(exc))
                continue
            identity = record.external_id or record.email
            earlier = seen.check(identity, hash(_content(record)), line)
            if earlier is not None:
                first_line, same = earlier
                what = "the same row as" if same else "the same id/email as"
                yield RowError(line, f"{what} line {first_line}; kept line {first_line}")
                continue
            self.sample.add(f"{record.first_name} {record.last_name}".strip() or record.company)
            yield record

    def _mapped_rows(self) -> Iterator[tuple[int, dict[str, str], str]]:
        """(line, {field: cell}, problem) per row; the header is mapped once, not per row."""
        if self.table.kind == "jsonl":
            for line, row, problem in jsonl_rows(self.table.objects):
                if problem:
                    yield line, {}, problem
                    continue
                try:
                    yield line, _repdesk_map(row), ""
                except v.BadValue as exc:
                    yield line, {}, str(exc)
            return
        header = self.table.header
        if self.columns is None:  # repdesk CSV: the header names the fields
            for line, cells, problem in iter_cells(self.table):
                if problem:
                    yield line, {}, problem
                    continue
                try:
                    yield line, _repdesk_map(dict(zip(header, cells, strict=False))), ""
                except v.BadValue as exc:
                    yield line, {}, str(exc)
            return
        # (cell index, field) in header order; the first non-empty cell for a field wins.
        plan = [
            (i, self.columns[v.key(h)]) for i, h in enumerate(header) if v.key(h) in self.columns
        ]
        for line, cells, problem in iter_cells(self.table):
            if problem:
                yield line, {}, problem
                continue
            out: dict[str, str] = {}
            for index, target in plan:
                cell = cells[index]
                if target not in out and cell.strip():
                    out[target] = cell
            yield line, out, ""


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


_LABELS = {
    "external_id": "id",
    "first_name": "first name",
    "last_name": "last name",
    "company_size": "company size",
    "marketing_notes": "marketing notes",
}


def _fit(name: str, value: str) -> str:
    """`value` checked against the leads column `name` (length, NUL, broken characters)."""
    return LEAD_LIMITS[name].check_text(value, _LABELS.get(name, name))


# Plain text fields: (field, the column's length). Checked in one loop (a million-row
# file makes ten function calls per row add up); anything unusual goes through `_fit`.
_PLAIN = tuple(
    (name, LEAD_LIMITS[name].length or 0)
    for name in ("external_id", "first_name", "last_name", "company", "title", "industry")
)


def _common(line: int, m: dict[str, str]) -> dict[str, Any]:
    get = m.get
    out: dict[str, Any] = {"line": line}
    for name, length in _PLAIN:
        value = get(name, "").strip()
        if len(value) > length or not value.isascii() or "\x00" in value:
            value = _fit(name, value)
        out[name] = value
    email = out["email"] = _fit("email", v.email(get("email", "")))
    if not out["external_id"] and not email:
        raise v.BadValue("has neither an id nor an email, so it cannot be matched later")
    if not (out["first_name"] or out["last_name"] or out["company"] or email):
        raise v.BadValue("has no name, company or email")
    company_size = v.integer(get("company_size", ""), "company size")
    out["company_size"] = LEAD_LIMITS["company_size"].check_number(company_size, "company size")
    out["phone"] = _fit("phone", (get("phone", "") or get("mobile", "")).strip())
    out["country"] = _fit("country", get("country", "").strip())
    out["marketing_notes"] = _fit("marketing_notes", v.text(get("marketing_notes", "")))
    out["created_at"] = v.timestamp(get("created_at", ""), "created date")
    out["owner"] = v.text(get("owner", ""), 320)
    out["source"] = v.text(get("source", ""), 300)
    return out


def _score(m: dict[str, str]) -> int:
    score = v.integer(m.get("score", ""), "score", minimum=None)
    if score is None:
        score = _RATING_SCORE.get(v.key(m.get("rating", "")), 0)
    LEAD_LIMITS["score"].check_number(score, "score")
    return score


def _salesforce(line: int, m: dict[str, str]) -> LeadRecord:
    base = _common(line, m)
    raw = m.get("sf_status", "")
    stage, status = v.SALESFORCE_STATUS.get(v.key(raw), (LifecycleStage.MQL, None))
    return LeadRecord(
        **base,
        lifecycle_stage=stage,
        lead_status=status or v.lead_status(raw) or LeadStatus.NEW,
        score=_score(m),
    )


def _hubspot(line: int, m: dict[str, str]) -> LeadRecord:
    base = _common(line, m)
    return LeadRecord(
        **base,
        lifecycle_stage=v.lifecycle_stage(m.get("stage", "")) or LifecycleStage.LEAD,
        lead_status=v.lead_status(m.get("status", "")) or LeadStatus.NEW,
        score=_score(m),
    )


def _repdesk(line: int, m: dict[str, str]) -> LeadRecord:
    base = _common(line, m)
    return LeadRecord(
        **base,
        lifecycle_stage=v.lifecycle_stage(m.get("lifecycle_stage", "")) or LifecycleStage.MQL,
        lead_status=v.lead_status(m.get("lead_status", "")) or LeadStatus.NEW,
        score=_score(m),
    )


_BUILDERS: dict[str, Callable[[int, dict[str, str]], LeadRecord]] = {
    "salesforce": _salesforce,
    "hubspot": _hubspot,
    "repdesk-csv": _repdesk,
    "repdesk-jsonl": _repdesk,
}
