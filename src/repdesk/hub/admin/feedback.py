"""Exporting what reps sent back (notes, BANT, objections, dispositions, collateral use,
follow-ups)."""

from __future__ import annotations

import csv
import json
import logging
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any, TextIO

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from repdesk.domain.errors import ValidationError
from repdesk.hub.admin.hub import Hub
from repdesk.hub.db.models import (
    CallNote,
    Campaign,
    Collateral,
    CollateralUseRow,
    DispositionRow,
    FollowUpRow,
    Lead,
    ObjectionCategory,
    ObjectionRow,
    ProcessedMutation,
    QualificationField,
    Rep,
)

log = logging.getLogger(__name__)

FORMATS = ("csv", "jsonl")


@dataclass(frozen=True, slots=True)
class FeedbackRow:
    """One thing a rep did, flattened for a spreadsheet; unused columns stay empty."""

    kind: str
    """call_note, bant, objection, disposition, collateral_use or followup."""
    occurred_at: str
    """When the rep did it (their device's clock), ISO 8601 UTC."""
    received_at: str
    """When the hub got it: what --since filters on, so late offline syncs are not missed."""
    rep_email: str
    rep_name: str
    lead_id: str
    lead_external_id: str
    lead_name: str
    lead_company: str
    lead_email: str
    category: str = ""
    """BANT dimension, objection category, disposition kind, use kind (shown/sent), or a
    follow-up's state (open/done/cancelled)."""
    value: str = ""
    """BANT answer code, objection category label, collateral title, call outcome, or when
    a follow-up is due (ISO 8601 UTC)."""
    text: str = ""
    """The note body, the prospect's verbatim, the disposition reason, or what a
    follow-up is for."""
    confidence: str = ""
    severity: str = ""
    competitor: str = ""
    campaign: str = ""
    duration_seconds: str = ""


COLUMNS = tuple(f.name for f in fields(FeedbackRow))


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value is not None else ""


class _Context:
    def __init__(self, session: Session) -> None:
        self.reps = {r.id: r for r in session.scalars(select(Rep))}
        self.campaigns = dict(session.execute(select(Campaign.id, Campaign.name)).tuples().all())
        self.collateral = dict(
            session.execute(select(Collateral.id, Collateral.title)).tuples().all()
        )
        self.categories = dict(
            session.execute(select(ObjectionCategory.code, ObjectionCategory.label)).tuples().all()
        )
        self.session = session
        self._leads: dict[str, Lead | None] = {}

    def row(
        self, kind: str, rep_id: str, lead_id: str, at: datetime | None, received: datetime | None
    ) -> dict[str, str]:
        if lead_id not in self._leads:
            self._leads[lead_id] = self.session.get(Lead, lead_id)
        lead = self._leads[lead_id]
        rep = self.reps.get(rep_id)
        return {
            "kind": kind,
            "occurred_at": _iso(at),
            "received_at": _iso(received),
            "rep_email": rep.email if rep else "",
            "rep_name": rep.name if rep else "",
            "lead_id": lead_id,
            "lead_external_id": (lead.external_id or "") if lead else "",
            "lead_name": f"{lead.first_name} {lead.last_name}".strip() if lead else "",
            "lead_company": lead.company if lead else "",
            "lead_email": lead.email if lead else "",
        }


def feedback_rows(session: Session, since: datetime | None = None) -> list[FeedbackRow]:
    """Every rep write received at or after `since`, oldest first."""
    ctx = _Context(session)
    out: list[FeedbackRow] = []

    def newer(column: Any) -> list[ColumnElement[bool]]:
        return [] if since is None else [column >= since]

    for note in session.scalars(select(CallNote).where(*newer(CallNote.received_at))):
        base = ctx.row("call_note", note.rep_id, note.lead_id, note.created_at, note.received_at)
        out.append(
            FeedbackRow(
                **base,
                value=note.outcome,
                text=note.body,
                duration_seconds=""
                if note.duration_seconds is None
                else str(note.duration_seconds),
            )
        )
    # A rep's answer reached the hub when its push was processed (the rep's own
    # recorded_at can be days earlier, from offline work); answers marketing set have no
    # push and count from when they were recorded.
    received = func.coalesce(ProcessedMutation.received_at, QualificationField.recorded_at)
    bant = (
        select(QualificationField, received)
        .outerjoin(
            ProcessedMutation, ProcessedMutation.mutation_id == QualificationField.mutation_id
        )
        .where(QualificationField.value.is_not(None), *newer(received))
    )
    for answer, received_at in session.execute(bant).tuples():
        base = ctx.row("bant", answer.recorded_by, answer.lead_id, answer.recorded_at, received_at)
        out.append(
            FeedbackRow(
                **base,
                category=answer.dimension,
                value=answer.value or "",
                text=answer.verbatim,
                confidence=str(answer.confidence),
            )
        )
    for obj in session.scalars(select(ObjectionRow).where(*newer(ObjectionRow.received_at))):
        base = ctx.row("objection", obj.rep_id, obj.lead_id, obj.created_at, obj.received_at)
        out.append(
            FeedbackRow(
                **base,
                category=obj.category_code,
                value=ctx.categories.get(obj.category_code, ""),
                text=obj.verbatim,
                severity=str(obj.severity),
                competitor=obj.competitor,
                campaign=ctx.campaigns.get(obj.campaign_id or "", ""),
            )
        )
    for d in session.scalars(select(DispositionRow).where(*newer(DispositionRow.received_at))):
        base = ctx.row("disposition", d.rep_id, d.lead_id, d.decided_at, d.received_at)
        out.append(FeedbackRow(**base, category=d.kind, text=d.reason))
    for use in session.scalars(
        select(CollateralUseRow).where(*newer(CollateralUseRow.received_at))
    ):
        base = ctx.row("collateral_use", use.rep_id, use.lead_id, use.used_at, use.received_at)
        out.append(
            FeedbackRow(**base, category=use.kind, value=ctx.collateral.get(use.collateral_id, ""))
        )
    # One row per follow-up, as it is now (its latest change; --since sees it again when
    # it changes).
    for f in session.scalars(select(FollowUpRow).where(*newer(FollowUpRow.received_at))):
        base = ctx.row("followup", f.rep_id, f.lead_id, f.updated_at, f.received_at)
        out.append(FeedbackRow(**base, category=f.state, value=_iso(f.due_at), text=f.reason))
    out.sort(key=lambda r: (r.received_at, r.occurred_at, r.kind))
    return out


def write_feedback(rows: list[FeedbackRow], stream: TextIO, fmt: str) -> None:
    if fmt == "csv":
        writer = csv.DictWriter(stream, fieldnames=COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(neutralise_cells(asdict(r)) for r in rows)
    elif fmt == "jsonl":
        for r in rows:
            stream.write(json.dumps(asdict(r), ensure_ascii=False) + "\n")
    else:
        raise ValidationError(f"Unknown format {fmt!r}; use one of: {', '.join(FORMATS)}.")


def neutralise_cells(row: dict[str, str]) -> dict[str, str]:
    """The row with every cell a spreadsheet would run as a formula (starting with
    = + - @, tab or CR: CSV injection) prefixed with ' so it stays text: the verbatim of a
    prospect must stay text when marketing opens an export in Excel."""
    return {
        k: ("'" + v if v[:1] in ("=", "+", "-", "@", "\t", "\r") else v) for k, v in row.items()
    }


def export_feedback(
    hub: Hub, stream: TextIO, *, since: datetime | None = None, fmt: str = "csv"
) -> int:
    """Write the feedback to `stream`; returns how many rows."""
    if fmt not in FORMATS:
        raise ValidationError(f"Unknown format {fmt!r}; use one of: {', '.join(FORMATS)}.")
    with hub.db.read() as session:
        rows = feedback_rows(session, since)
    write_feedback(rows, stream, fmt)
    return len(rows)
