"""Per-field BANT updates with conflict detection against the version the rep last saw.

A field collides when the hub changed it after `base_version` (its field version is
newer) and that change came from someone else (marketing, another rep, or another of the
rep's installations) with a different value. Colliding fields are reported with both
values and left as they are; the other fields are applied and bump the version once.

Judged in memory, on the lead's BANT state as the push batch loaded it (`QualState`);
the batch writes the state that results (`push_writes`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from repdesk.domain.qualification import BANT_ORDER
from repdesk.hub.sync.push_rows import FieldState, QualState
from repdesk.protocol.schema import BantAnswerData, QualificationPayload


@dataclass(slots=True)
class QualificationOutcome:
    version: int
    applied: list[str] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)


def _answer(row: FieldState) -> dict[str, Any] | None:
    """The hub's answer as the wire carries it (`serialize.answer_data`)."""
    if row.value is None:
        return None
    return BantAnswerData(
        value=row.value,
        verbatim=row.verbatim,
        confidence=row.confidence,
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
    ).model_dump(mode="json")


def apply_qualification(
    qual: QualState,
    payload: QualificationPayload,
    *,
    base_version: int | None,
    rep_id: str,
    client_id: str,
    mutation_id: str,
    recorded_at: datetime,
) -> QualificationOutcome:
    base = base_version or 0
    current = qual.fields
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
            outcome.conflicts.append(
                {
                    "field": dim,
                    "mine": mine or "",
                    "theirs": row.value or "",
                    "theirs_answer": _answer(row),
                    "theirs_version": row.version,
                }
            )
            continue
        if row is None:
            row = current[dim] = FieldState(dimension=dim, new=True)
        row.value = mine
        row.verbatim = answer.verbatim if answer is not None else ""
        row.confidence = answer.confidence if answer is not None else 2
        row.recorded_by = rep_id
        row.recorded_at = recorded_at
        row.version = new_version
        row.mutation_id = mutation_id
        row.client_id = client_id
        row.dirty = True
        outcome.applied.append(dim)
    if outcome.applied:
        qual.version = new_version
        qual.dirty = True
        outcome.version = new_version
    return outcome


__all__ = ["QualificationOutcome", "apply_qualification"]
