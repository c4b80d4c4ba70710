"""Row <-> domain conversions: the store hands out dataclasses, never ORM objects or Rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import msgspec
from sqlalchemy import Row

from repdesk.domain.feedback import (
    ObjectionCategory,
)
from repdesk.domain.ids import ensure_utc
from repdesk.domain.leads import (
    Campaign,
    Collateral,
    Lead,
    LeadStatus,
    LifecycleStage,
    NurtureEvent,
    NurtureEventType,
)
from repdesk.domain.qualification import (
    Bant,
    BantAnswer,
    BantDimension,
    Confidence,
    Rubric,
    RubricDimension,
    ScaleOption,
)
from repdesk.store.api import EventRow, PulledLead


def to_db(value: datetime | None) -> datetime | None:
    """SQLite keeps naive timestamps: store UTC, so text order is time order."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def from_db(value: datetime | None) -> datetime | None:
    return None if value is None else ensure_utc(value)


def must(value: datetime | None) -> datetime:
    assert value is not None
    return ensure_utc(value)


def iso(value: datetime | None) -> str | None:
    return None if value is None else ensure_utc(value).isoformat()


def parse_iso(value: Any) -> datetime | None:
    if not value:
        return None
    return ensure_utc(datetime.fromisoformat(str(value)))


def name_key(first: str, last: str, email: str) -> str:
    name = " ".join(p for p in (first, last) if p) or email
    return name.casefold()


# --- leads and reference data -----------------------------------------------------------


def lead_values(lead: Lead) -> dict[str, Any]:
    """Columns the hub owns (the derived ones are the store's and are not in here)."""
    return {
        "id": lead.id,
        "version": lead.version,
        "first_name": lead.first_name,
        "last_name": lead.last_name,
        "company": lead.company,
        "email": lead.email,
        "title": lead.title,
        "industry": lead.industry,
        "company_size": lead.company_size,
        "phone": lead.phone,
        "country": lead.country,
        "lifecycle_stage": lead.lifecycle_stage.value,
        "lead_status": lead.lead_status.value,
        "score": lead.score,
        "source_campaign_id": lead.source_campaign_id,
        "owner_rep_id": lead.owner_rep_id,
        "marketing_notes": lead.marketing_notes,
        "external_id": lead.external_id,
        "created_at": to_db(lead.created_at),
        "updated_at": to_db(lead.updated_at),
        "next_step": lead.next_step,
        "assigned_at": to_db(lead.assigned_at),
        "name_key": name_key(lead.first_name, lead.last_name, lead.email),
    }


LEAD_COLUMNS = (
    "id", "version", "first_name", "last_name", "company", "email", "title", "industry",
    "company_size", "phone", "country", "lifecycle_stage", "lead_status", "score",
    "source_campaign_id", "owner_rep_id", "marketing_notes", "external_id", "created_at",
    "updated_at", "assigned_at", "next_step", "name_key",
)  # fmt: skip
"""The columns of a `PulledLead`, in its order, then the store's `name_key`
(`lead_db_rows`)."""


def lead_row(lead: Lead, version: int) -> PulledLead:
    return (
        lead.id, version, lead.first_name, lead.last_name, lead.company, lead.email, lead.title,
        lead.industry, lead.company_size, lead.phone, lead.country, lead.lifecycle_stage.value,
        lead.lead_status.value, lead.score, lead.source_campaign_id, lead.owner_rep_id,
        lead.marketing_notes, lead.external_id, lead.created_at, lead.updated_at,
        lead.assigned_at, lead.next_step,
    )  # fmt: skip


def _time_or_none(value: datetime | None) -> str | None:
    return None if value is None else db_time(value)


def lead_db_rows(rows: Sequence[PulledLead]) -> list[tuple[Any, ...]]:
    """`PulledLead`s as the values of `LEAD_COLUMNS` (times as `db_time`, and the name key)."""
    t = _time_or_none
    return [
        (
            i, v, first, last, co, email, ti, ind, size, ph, cy, stage, status, score, camp,
            owner, notes, ext, t(created), t(updated), t(assigned), step,
            name_key(first, last, email),
        )
        for (
            i, v, first, last, co, email, ti, ind, size, ph, cy, stage, status, score, camp,
            owner, notes, ext, created, updated, assigned, step,
        ) in rows
    ]  # fmt: skip


def _enum(enum: Any, value: str, default: Any) -> Any:
    try:
        return enum(value)
    except ValueError:
        return default


def lead_from_row(r: Row[Any]) -> Lead:
    return Lead(
        id=r.id,
        first_name=r.first_name,
        last_name=r.last_name,
        company=r.company,
        email=r.email,
        title=r.title,
        industry=r.industry,
        company_size=r.company_size,
        phone=r.phone,
        country=r.country,
        lifecycle_stage=_enum(LifecycleStage, r.lifecycle_stage, LifecycleStage.OTHER),
        lead_status=_enum(LeadStatus, r.lead_status, LeadStatus.OPEN),
        score=r.score,
        source_campaign_id=r.source_campaign_id,
        owner_rep_id=r.owner_rep_id,
        marketing_notes=r.marketing_notes,
        external_id=r.external_id,
        created_at=from_db(r.created_at),
        updated_at=from_db(r.updated_at),
        last_touch_at=from_db(r.last_touch_at),
        next_step=r.next_step,
        version=r.version,
        assigned_at=from_db(r.assigned_at),
    )


def event_values(e: NurtureEvent) -> dict[str, Any]:
    return {
        "id": e.id,
        "version": e.version,
        "lead_id": e.lead_id,
        "type": e.type.value,
        "occurred_at": to_db(e.occurred_at),
        "campaign_id": e.campaign_id,
        "asset": e.asset,
        "detail": e.detail,
        "score_delta": e.score_delta,
    }


EVENT_COLUMNS = (
    "id", "version", "lead_id", "type", "occurred_at", "campaign_id", "asset", "detail",
    "score_delta",
)  # fmt: skip
"""The columns of an `EventRow`, in its order."""


def event_row(e: NurtureEvent, version: int) -> EventRow:
    return (
        e.id, version, e.lead_id, e.type.value, e.occurred_at, e.campaign_id, e.asset, e.detail,
        e.score_delta,
    )  # fmt: skip


_RFC3339 = msgspec.json.encode


def datetime_text(value: datetime) -> str:
    """A DATETIME column's text exactly as SQLAlchemy's SQLite type writes it,
    "YYYY-MM-DD HH:MM:SS.ffffff" from the fields as they are (an offset is not applied).

    Cut from msgspec's RFC 3339 encoding ('"YYYY-MM-DDTHH:MM:SS[.ffffff][Z|±HH:MM]"', the
    fraction only when not zero): ~0.4 us where `isoformat(" ", "microseconds")` took
    ~1.8 us, once per event of a first sync (a million at L)."""
    text = _RFC3339(value).decode()
    fraction = text[20:27] if text[20] == "." else ".000000"
    return f"{text[1:11]} {text[12:20]}{fraction}"


def db_time(value: datetime) -> str:
    """A time as the cache stores it: naive UTC text, as SQLAlchemy's SQLite DATETIME
    writes it (`to_db`, then `datetime_text`)."""
    if value.tzinfo is UTC:  # what the wire's "Z" decodes to: the fields are UTC already
        return datetime_text(value)
    naive = to_db(value)
    assert naive is not None
    return datetime_text(naive)


def event_db_rows(rows: Sequence[EventRow]) -> list[tuple[Any, ...]]:
    """`EventRow`s as the values the events table takes (its time as `db_time`)."""
    return [(a, b, c, d, db_time(e), f, g, h, i) for a, b, c, d, e, f, g, h, i in rows]


def event_from_row(r: Row[Any]) -> NurtureEvent:
    return NurtureEvent(
        id=r.id,
        lead_id=r.lead_id,
        type=NurtureEventType(r.type),
        occurred_at=must(r.occurred_at),
        campaign_id=r.campaign_id,
        asset=r.asset,
        detail=r.detail,
        score_delta=r.score_delta,
        version=r.version,
    )


def campaign_values(c: Campaign) -> dict[str, Any]:
    return {
        "id": c.id,
        "version": c.version,
        "name": c.name,
        "channel": c.channel,
        "status": c.status,
        "description": c.description,
        "starts_on": to_db(c.starts_on),
        "ends_on": to_db(c.ends_on),
    }


def campaign_from_row(r: Row[Any]) -> Campaign:
    return Campaign(
        id=r.id,
        name=r.name,
        channel=r.channel,
        status=r.status,
        description=r.description,
        starts_on=from_db(r.starts_on),
        ends_on=from_db(r.ends_on),
        version=r.version,
    )


def collateral_values(c: Collateral) -> dict[str, Any]:
    return {
        "id": c.id,
        "version": c.version,
        "title": c.title,
        "sha256": c.sha256,
        "size": c.size,
        "media_type": c.media_type,
        "campaign_id": c.campaign_id,
        "tags": list(c.tags),
        "problem": c.problem,
    }


def collateral_from_row(r: Row[Any]) -> Collateral:
    return Collateral(
        id=r.id,
        title=r.title,
        sha256=r.sha256,
        size=r.size,
        media_type=r.media_type,
        campaign_id=r.campaign_id,
        tags=tuple(r.tags or ()),
        problem=r.problem,
        version=r.version,
    )


def category_from_row(r: Row[Any]) -> ObjectionCategory:
    return ObjectionCategory(code=r.code, label=r.label, description=r.description)


def rubric_to_json(rubric: Rubric) -> dict[str, Any]:
    return {
        "name": rubric.name,
        "min_confidence": int(rubric.min_confidence),
        "min_qualifying": rubric.min_qualifying,
        "dimensions": [
            {
                "dimension": d.dimension.value,
                "title": d.title,
                "question": d.question,
                "required": d.required,
                "options": [
                    {"code": o.code, "label": o.label, "qualifies": o.qualifies, "key": o.key}
                    for o in d.options
                ],
            }
            for d in rubric.dimensions
        ],
    }


def rubric_from_json(data: dict[str, Any], version: int) -> Rubric:
    return Rubric(
        name=data["name"],
        min_confidence=Confidence(data.get("min_confidence", 2)),
        min_qualifying=data.get("min_qualifying", 4),
        version=version,
        dimensions=tuple(
            RubricDimension(
                dimension=BantDimension(d["dimension"]),
                title=d.get("title", ""),
                question=d.get("question", ""),
                required=d.get("required", True),
                options=tuple(
                    ScaleOption(
                        code=o["code"],
                        label=o.get("label", ""),
                        qualifies=bool(o.get("qualifies")),
                        key=o.get("key", ""),
                    )
                    for o in d.get("options", ())
                ),
            )
            for d in data.get("dimensions", ())
        ),
    )


# --- BANT --------------------------------------------------------------------------------


def answer_to_json(a: BantAnswer | None) -> dict[str, Any] | None:
    if a is None:
        return None
    return {
        "value": a.value,
        "verbatim": a.verbatim,
        "confidence": int(a.confidence),
        "recorded_by": a.recorded_by,
        "recorded_at": iso(a.recorded_at),
    }


def answer_from_json(dim: BantDimension, d: dict[str, Any] | None) -> BantAnswer | None:
    if not d:
        return None
    return BantAnswer(
        dimension=dim,
        value=d.get("value", ""),
        verbatim=d.get("verbatim", ""),
        confidence=Confidence(d.get("confidence", 2)),
        recorded_by=d.get("recorded_by", ""),
        recorded_at=parse_iso(d.get("recorded_at")),
    )


def bant_from_row(lead_id: str, r: Row[Any] | None) -> Bant:
    if r is None:
        return Bant(lead_id=lead_id)
    return Bant(
        lead_id=lead_id,
        budget=answer_from_json(BantDimension.BUDGET, r.budget),
        authority=answer_from_json(BantDimension.AUTHORITY, r.authority),
        need=answer_from_json(BantDimension.NEED, r.need),
        timeframe=answer_from_json(BantDimension.TIMEFRAME, r.timeframe),
        version=r.version,
    )


def history_from_row(r: Row[Any]) -> BantAnswer:
    return BantAnswer(
        dimension=BantDimension(r.dimension),
        value=r.value,
        verbatim=r.verbatim,
        confidence=Confidence(r.confidence),
        recorded_by=r.recorded_by,
        recorded_at=from_db(r.recorded_at),
    )
