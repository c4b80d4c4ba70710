"""One row of a lead export → a `LeadRecord`, or a `BadValue` naming the first problem.

A million-row file makes every per-row call count, so a row is checked in two ways that
give the same answer:

- `RowChecker.record`, the fast path: the cells arrive as one tuple in SOURCE_FIELDS
  order (see `_Plan` in `leads`); the text checks of a whole row are a few C calls over
  the row joined (lengths, NUL, unpaired surrogates), a company size of plain digits is
  read with `int`, and picklist values (status, stage, rating) are looked up once per
  distinct value and remembered;
- `reference`, the plain per-field checks (`limits`, `values`), in the order they report
  problems. The fast path hands every row it is not sure of (a cell too long or holding
  a NUL or a broken character) to it, so a bad row's message is the one it gives.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, NamedTuple

from repdesk.domain.leads import LeadStatus, LifecycleStage
from repdesk.hub.importers import values as v
from repdesk.hub.importers.limits import LEAD_LIMITS


class LeadRecord(NamedTuple):
    """One lead as read from a file, normalised onto the domain's vocabulary (a named
    tuple: a million-row import makes one per row, and a tuple is the cheapest record)."""

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


SOURCE_FIELDS: tuple[str, ...] = (
    "external_id",
    "first_name",
    "last_name",
    "company",
    "title",
    "industry",
    "email",
    "company_size",
    "phone",
    "mobile",
    "country",
    "marketing_notes",
    "created_at",
    "owner",
    "source",
    "score",
    "rating",
    "sf_status",
    "stage",
    "status",
    "lifecycle_stage",
    "lead_status",
)
"""The fields a row's cells are read into, in this order (the column maps' targets and
the repdesk fields); a field the file lacks reads as empty."""

# Salesforce has no score field; its Rating picklist gives a coarse one.
_RATING_SCORE = {"hot": 80, "warm": 50, "cold": 20}
_MEMO_LIMIT = 10_000
"""Distinct picklist values remembered per file (a picklist has a handful; a column of
free text in their place must not grow memory without bound)."""

_LABELS = {
    "external_id": "id",
    "first_name": "first name",
    "last_name": "last name",
    "company_size": "company size",
    "marketing_notes": "marketing notes",
}


def _limit(name: str) -> int:
    return LEAD_LIMITS[name].length or 0


_ID, _FIRST, _LAST, _COMPANY = (
    _limit(n) for n in ("external_id", "first_name", "last_name", "company")
)
_TITLE, _INDUSTRY, _EMAIL = (_limit(n) for n in ("title", "industry", "email"))
_PHONE, _COUNTRY = _limit("phone"), _limit("country")
_SIZE_DIGITS = len(str(LEAD_LIMITS["company_size"].maximum)) - 1
"""Plain digits up to this many always fit the company size column."""


def _fit(name: str, value: str) -> str:
    """`value` checked against the leads column `name` (length, NUL, broken characters)."""
    return LEAD_LIMITS[name].check_text(value, _LABELS.get(name, name))


def _storable(text: str) -> bool:
    """No NUL and no unpaired surrogate: what every text column can store."""
    if "\x00" in text:
        return False
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# --- the reference: per-field checks, in the order they report -------------------------


def _common(line: int, m: dict[str, str]) -> dict[str, Any]:
    get = m.get
    out: dict[str, Any] = {"line": line}
    for name in ("external_id", "first_name", "last_name", "company", "title", "industry"):
        out[name] = _fit(name, get(name, "").strip())
    email = out["email"] = _fit("email", v.email(get("email", "")))
    if not out["external_id"] and not email:
        raise v.BadValue("has neither an id nor an email, so it cannot be matched later")
    if not (out["first_name"] or out["last_name"] or out["company"] or email):
        raise v.BadValue("has no name, company or email")
    company_size = v.integer(get("company_size", ""), "company size")
    out["company_size"] = LEAD_LIMITS["company_size"].check_number(company_size, "company size")
    phone = get("phone", "").strip() or get("mobile", "").strip()
    out["phone"] = _fit("phone", phone)
    out["country"] = _fit("country", get("country", "").strip())
    out["marketing_notes"] = _fit("marketing_notes", v.text(get("marketing_notes", "")))
    out["created_at"] = v.timestamp(get("created_at", ""), "created date")
    out["owner"] = v.text(get("owner", ""), 320)
    out["source"] = v.text(get("source", ""), 300)
    return out


def _score(score: str, rating: str) -> int:
    number = v.integer(score, "score", minimum=None)
    if number is None:
        number = _RATING_SCORE.get(v.key(rating), 0)
    LEAD_LIMITS["score"].check_number(number, "score")
    return number


def _salesforce_status(raw: str) -> tuple[LifecycleStage, LeadStatus]:
    stage, status = v.SALESFORCE_STATUS.get(v.key(raw), (LifecycleStage.MQL, None))
    return stage, status or v.lead_status(raw) or LeadStatus.NEW


def _hubspot_status(stage: str, status: str) -> tuple[LifecycleStage, LeadStatus]:
    return (
        v.lifecycle_stage(stage) or LifecycleStage.LEAD,
        v.lead_status(status) or LeadStatus.NEW,
    )


def _repdesk_status(stage: str, status: str) -> tuple[LifecycleStage, LeadStatus]:
    return (
        v.lifecycle_stage(stage) or LifecycleStage.MQL,
        v.lead_status(status) or LeadStatus.NEW,
    )


def _status_of(kind: str) -> Callable[[dict[str, str]], tuple[LifecycleStage, LeadStatus]]:
    if kind == "salesforce":
        return lambda m: _salesforce_status(m.get("sf_status", ""))
    if kind == "hubspot":
        return lambda m: _hubspot_status(m.get("stage", ""), m.get("status", ""))
    return lambda m: _repdesk_status(m.get("lifecycle_stage", ""), m.get("lead_status", ""))


def reference(kind: str, line: int, raw: tuple[str, ...]) -> LeadRecord:
    """The record of a row of a `kind` file ("salesforce", "hubspot", "repdesk-csv",
    "repdesk-jsonl"), its cells in SOURCE_FIELDS order, checked field by field."""
    m = {name: cell for name, cell in zip(SOURCE_FIELDS, raw, strict=True) if cell}
    base = _common(line, m)
    stage, status = _status_of(kind)(m)
    return LeadRecord(
        **base,
        lifecycle_stage=stage,
        lead_status=status,
        score=_score(m.get("score", ""), m.get("rating", "")),
    )


# --- the fast path ------------------------------------------------------------------------


class RowChecker:
    """`record(line, raw)` for the rows of one file of format `kind`; remembers the
    picklist values it has read (per file: a few dozen entries)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._statuses: dict[tuple[str, str], tuple[LifecycleStage, LeadStatus]] = {}
        self._scores: dict[tuple[str, str], int] = {}
        if kind == "salesforce":
            self._status: Callable[[str, str], tuple[LifecycleStage, LeadStatus]] = (
                lambda raw, _unused: _salesforce_status(raw)
            )
            self._status_cells = (17, 17)
        elif kind == "hubspot":
            self._status = _hubspot_status
            self._status_cells = (18, 19)
        else:
            self._status = _repdesk_status
            self._status_cells = (20, 21)

    def record(self, line: int, raw: tuple[str, ...]) -> LeadRecord:
        (external_id, first, last, company, title, industry, email, size, phone, mobile,
         country, notes, created, owner, source, score, rating) = raw[:17]  # fmt: skip
        external_id, first, last = external_id.strip(), first.strip(), last.strip()
        company, title, industry = company.strip(), title.strip(), industry.strip()
        email = email.strip()
        phone = phone.strip() or mobile.strip()
        country, notes = country.strip(), notes.strip()[:20_000]
        if (
            len(external_id) > _ID
            or len(first) > _FIRST
            or len(last) > _LAST
            or len(company) > _COMPANY
            or len(title) > _TITLE
            or len(industry) > _INDUSTRY
            or len(email) > _EMAIL
            or len(phone) > _PHONE
            or len(country) > _COUNTRY
            or not _storable(
                "".join(
                    (
                        external_id,
                        first,
                        last,
                        company,
                        title,
                        industry,
                        email,
                        phone,
                        country,
                        notes,
                    )
                )  # fmt: skip
            )
        ):
            return reference(self.kind, line, raw)
        email = v.email(email)
        if len(email) > _EMAIL:  # lower() lengthens a few letters (İ)
            email = _fit("email", email)
        if not external_id and not email:
            raise v.BadValue("has neither an id nor an email, so it cannot be matched later")
        if not (first or last or company or email):
            raise v.BadValue("has no name, company or email")
        size = size.strip()
        if not size:
            company_size = None
        elif size.isdigit() and size.isascii() and len(size) <= _SIZE_DIGITS:
            company_size = int(size)
        else:
            company_size = LEAD_LIMITS["company_size"].check_number(
                v.integer(size, "company size"), "company size"
            )
        created_at = v.timestamp(created, "created date") if created else None
        picklist = (raw[self._status_cells[0]], raw[self._status_cells[1]])
        stage_status = self._statuses.get(picklist)
        if stage_status is None:
            stage_status = self._status(*picklist)
            if len(self._statuses) < _MEMO_LIMIT:
                self._statuses[picklist] = stage_status
        scored = (score, rating)
        number = self._scores.get(scored)
        if number is None:
            number = _score(score, rating)
            if len(self._scores) < _MEMO_LIMIT:
                self._scores[scored] = number
        return LeadRecord(
            line,
            external_id,
            first,
            last,
            company,
            email,
            title,
            industry,
            company_size,
            phone,
            country,
            stage_status[0],
            stage_status[1],
            number,
            notes,
            created_at,
            owner.strip()[:320],
            source.strip()[:300],
        )


__all__ = ["SOURCE_FIELDS", "LeadRecord", "RowChecker", "reference"]
