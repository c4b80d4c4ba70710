"""Per-field BANT updates with conflict detection against the version the rep last saw.

A field collides when the hub changed it after `base_version` (its field version is
newer) and that change came from someone else (marketing, another rep, or another of the
rep's installations) with a different value. Colliding fields are reported with both
values and left as they are; the other fields are applied and bump the version once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from repdesk.domain.qualification import BANT_ORDER
from repdesk.hub.db import models as m
from repdesk.hub.sync import changes
from repdesk.hub.sync.serialize import answer_data
from repdesk.protocol.schema import QualificationPayload


@dataclass(slots=True)
class QualificationOutcome:
    version: int
    applied: list[str] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)


def apply_qualification(
    session: Session,
    lead: m.Lead,
    payload: QualificationPayload,
    *,
    base_version: int | None,
    rep_id: str,
    client_id: str,
    mutation_id: str,
    recorded_at: datetime,
) -> QualificationOutcome:
    qual = session.get(m.Qualification, lead.id)
    if qual is None:
        qual = m.Qualification(lead_id=lead.id, version=0)
        session.add(qual)
        session.flush()
    base = base_version or 0
    current = {
        f.dimension: f
        for f in session.scalars(
            select(m.QualificationField).where(m.QualificationField.lead_id == lead.id)
        )
    }
    new_version = qual.version + 1
    outcome = QualificationOutcome(version=qual.version)
    for dim in (d.value for d in BANT_ORDER if d.value in payload.fields):
        answer = payload.fields[dim]
        mine = answer.value if answer is not None else None
        row = current.get(dim)
        if (
            row is not None
            and row.version > base
            and row.client_id != client_id
            and row.value != mine
        ):
            theirs = answer_data(row)
            outcome.conflicts.append(
                {
                    "field": dim,
                    "mine": mine or "",
                    "theirs": row.value or "",
                    "theirs_answer": theirs.model_dump(mode="json") if theirs else None,
                    "theirs_version": row.version,
                }
            )
            continue
        if row is None:
            row = m.QualificationField(lead_id=lead.id, dimension=dim)
            session.add(row)
        row.value = mine
        row.verbatim = answer.verbatim if answer is not None else ""
        row.confidence = answer.confidence if answer is not None else 2
        row.recorded_by = rep_id
        row.recorded_at = recorded_at
        row.version = new_version
        row.mutation_id = mutation_id
        row.client_id = client_id
        outcome.applied.append(dim)
    if outcome.applied:
        qual.version = new_version
        outcome.version = new_version
        session.flush()
        changes.touch_lead_item(session, "qualification", lead.id, lead, qual.version)
    return outcome


__all__ = ["QualificationOutcome", "apply_qualification"]
