"""Lead importer: Salesforce Lead exports, HubSpot contact exports and repdesk CSV/JSONL."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from repdesk.domain.leads import LeadStatus, LifecycleStage
from repdesk.hub.importers import values as v
from repdesk.hub.importers.limits import LEAD_LIMITS
from repdesk.hub.importers.reading import (
    ImportFileError,
    iter_dicts,
    jsonl_rows,
    read_table,
)
from repdesk.hub.importers.result import ImportResult, RowError, Sample

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


def parse_leads(path: Path | str, *, encoding: str | None = None) -> ImportResult[LeadRecord]:
    """Read a lead export. Bad rows become RowErrors; a bad file raises ImportFileError.
    `encoding` forces one (else it is found: see `importers.encoding`)."""
    path = Path(path)
    table = read_table(path, lambda header: detect_format(header) is not None, encoding=encoding)
    if table.kind == "jsonl":
        rows: Iterable[tuple[int, dict[str, Any], str]] = jsonl_rows(table.objects)
        fmt, columns = "repdesk-jsonl", None
    else:
        found = detect_format(table.header)
        if found is None:
            shown = ", ".join(table.header[:8]) + (", ..." if len(table.header) > 8 else "")
            raise ImportFileError(
                f"{path.name}: the header row ({shown}) is not one repdesk knows. "
                f"Expected {EXPECTED}."
            )
        fmt = found
        columns = {"salesforce": SALESFORCE_COLUMNS, "hubspot": HUBSPOT_COLUMNS}.get(fmt)
        rows = iter_dicts(table)
    builder = _BUILDERS[fmt]
    records: list[LeadRecord] = []
    errors: list[RowError] = []
    seen: dict[str, tuple[int, LeadRecord]] = {}
    sample = Sample()
    for line, row, problem in rows:
        if problem:
            errors.append(RowError(line, problem))
            continue
        try:
            mapped = _map(row, columns) if columns is not None else _repdesk_map(row)
            record = builder(line, mapped)
        except v.BadValue as exc:
            errors.append(RowError(line, str(exc)))
            continue
        identity = record.external_id or record.email
        if identity in seen:
            first_line, first = seen[identity]
            same = replace(first, line=line) == record
            what = "the same row as" if same else "the same id/email as"
            errors.append(RowError(line, f"{what} line {first_line}; kept line {first_line}"))
            continue
        seen[identity] = (line, record)
        records.append(record)
        sample.add(f"{record.first_name} {record.last_name}".strip() or record.company)
    extra = tuple(h for h in table.header if columns is not None and v.key(h) not in columns)
    log.info("%s: %s, %d leads, %d errors", path.name, fmt, len(records), len(errors))
    decoding = table.decoding
    return ImportResult(
        records, errors, fmt, decoding.encoding, extra, decoding.how, sample.values()
    )


def _map(row: dict[str, str], columns: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for header, cell in row.items():
        target = columns.get(v.key(header))
        if target is not None and cell.strip() and target not in out:
            out[target] = cell
    return out


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


def _common(line: int, m: dict[str, str]) -> dict[str, Any]:
    first, last, company = (
        _fit(k, v.clean(m.get(k, ""))) for k in ("first_name", "last_name", "company")
    )
    external_id = _fit("external_id", v.clean(m.get("external_id", "")))
    email = _fit("email", v.email(m.get("email", "")))
    if not external_id and not email:
        raise v.BadValue("has neither an id nor an email, so it cannot be matched later")
    if not (first or last or company or email):
        raise v.BadValue("has no name, company or email")
    company_size = v.integer(m.get("company_size", ""), "company size")
    return {
        "line": line,
        "external_id": external_id,
        "first_name": first,
        "last_name": last,
        "company": company,
        "email": email,
        "title": _fit("title", v.clean(m.get("title", ""))),
        "industry": _fit("industry", v.clean(m.get("industry", ""))),
        "company_size": LEAD_LIMITS["company_size"].check_number(company_size, "company size"),
        "phone": _fit("phone", v.clean(m.get("phone", "") or m.get("mobile", ""))),
        "country": _fit("country", v.clean(m.get("country", ""))),
        "marketing_notes": _fit("marketing_notes", v.text(m.get("marketing_notes", ""))),
        "created_at": v.timestamp(m.get("created_at", ""), "created date"),
        "owner": v.text(m.get("owner", ""), 320),
        "source": v.text(m.get("source", ""), 300),
    }


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
