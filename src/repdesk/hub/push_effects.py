"""What each kind of pushed mutation does to the hub's rows (called by `push`, inside
the mutation's savepoint): a new note / objection / use / disposition, or a BANT update.

`Rejected` means nothing of the mutation is kept (its savepoint is rolled back).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from repdesk.domain.feedback import DispositionKind
from repdesk.domain.ids import ensure_utc, utcnow
from repdesk.hub import changes
from repdesk.hub.db import models as m
from repdesk.hub.qualify import apply_qualification
from repdesk.protocol.schema import (
    CallNotePayload,
    CollateralUsedPayload,
    DispositionPayload,
    Mutation,
    ObjectionPayload,
    PushStatus,
    QualificationPayload,
    Wire,
)

DISPOSITION_STATUS = {
    DispositionKind.ACCEPT: "qualified",
    DispositionKind.RETURN_TO_NURTURE: "nurture",
    DispositionKind.DISQUALIFY: "unqualified",
}


class Rejected(Exception):  # noqa: N818 - the protocol's status name
    def __init__(self, code: str, reason: str, **extra: Any) -> None:
        super().__init__(reason)
        self.detail: dict[str, Any] = {"code": code, "reason": reason, **extra}


@dataclass(frozen=True, slots=True)
class Outcome:
    status: PushStatus
    server_version: int | None
    detail: dict[str, Any] = field(default_factory=dict)


def _fresh_id(session: Session, model: type[m.Base], entity_id: str) -> None:
    if session.get(model, entity_id) is not None:
        raise Rejected("duplicate_entity", "A record with this id already exists on the hub.")


def apply_effect(
    session: Session,
    *,
    rep_id: str,
    client_id: str,
    mutation: Mutation,
    payload: Wire,
    lead: m.Lead,
) -> Outcome:
    at = ensure_utc(mutation.recorded_at)
    if isinstance(payload, CallNotePayload):
        _fresh_id(session, m.CallNote, mutation.entity_id)
        note = m.CallNote(
            id=mutation.entity_id,
            lead_id=lead.id,
            rep_id=rep_id,
            mutation_id=mutation.id,
            body=payload.body,
            call_started_at=payload.call_started_at,
            duration_seconds=payload.duration_seconds,
            outcome=payload.outcome,
            created_at=at,
            version=1,
        )
        session.add(note)
        changes.touch_lead_item(session, "call_note", note.id, lead, note.version)
        return Outcome(PushStatus.APPLIED, note.version)
    if isinstance(payload, ObjectionPayload):
        category = session.get(m.ObjectionCategory, payload.category_code)
        if category is None:
            raise Rejected(
                "unknown_category",
                f"The objection category {payload.category_code!r} is not in marketing's list.",
            )
        _fresh_id(session, m.ObjectionRow, mutation.entity_id)
        obj = m.ObjectionRow(
            id=mutation.entity_id,
            lead_id=lead.id,
            rep_id=rep_id,
            mutation_id=mutation.id,
            category_code=payload.category_code,
            verbatim=payload.verbatim,
            severity=payload.severity,
            campaign_id=payload.campaign_id,
            collateral_id=payload.collateral_id,
            competitor=payload.competitor,
            created_at=at,
            version=1,
        )
        session.add(obj)
        changes.touch_lead_item(session, "objection", obj.id, lead, obj.version)
        return Outcome(PushStatus.APPLIED, obj.version)
    if isinstance(payload, CollateralUsedPayload):
        item = session.get(m.Collateral, payload.collateral_id)
        if item is None:
            raise Rejected("unknown_collateral", "This collateral is not on the hub.")
        _fresh_id(session, m.CollateralUseRow, mutation.entity_id)
        use = m.CollateralUseRow(
            id=mutation.entity_id,
            lead_id=lead.id,
            rep_id=rep_id,
            mutation_id=mutation.id,
            collateral_id=item.id,
            kind=payload.kind.value,
            used_at=at,
            version=1,
        )
        session.add(use)
        changes.touch_lead_item(session, "collateral_use", use.id, lead, use.version)
        return Outcome(PushStatus.APPLIED, use.version)
    if isinstance(payload, DispositionPayload):
        if payload.kind is not DispositionKind.ACCEPT and not payload.reason.strip():
            raise Rejected(
                "reason_required",
                "Returning a lead to nurture or disqualifying it needs a reason.",
            )
        _fresh_id(session, m.DispositionRow, mutation.entity_id)
        disp = m.DispositionRow(
            id=mutation.entity_id,
            lead_id=lead.id,
            rep_id=rep_id,
            mutation_id=mutation.id,
            kind=payload.kind.value,
            reason=payload.reason,
            decided_at=at,
            version=1,
        )
        session.add(disp)
        changes.touch_lead_item(session, "disposition", disp.id, lead, disp.version)
        status = DISPOSITION_STATUS[payload.kind]
        if lead.lead_status != status:
            lead.lead_status = status
            lead.version += 1
            lead.updated_at = utcnow()
            changes.touch_lead(session, lead)
        return Outcome(PushStatus.APPLIED, disp.version)
    if isinstance(payload, QualificationPayload):
        result = apply_qualification(
            session,
            lead,
            payload,
            base_version=mutation.base_version,
            rep_id=rep_id,
            client_id=client_id,
            mutation_id=mutation.id,
            recorded_at=at,
        )
        status = PushStatus.CONFLICT if result.conflicts else PushStatus.APPLIED
        detail: dict[str, Any] = {"applied": result.applied}
        if result.conflicts:
            detail["conflicts"] = result.conflicts
        return Outcome(status, result.version, detail)
    raise Rejected("unknown_kind", "This kind of change is not supported by the hub.")


__all__ = ["DISPOSITION_STATUS", "Outcome", "Rejected", "apply_effect"]
