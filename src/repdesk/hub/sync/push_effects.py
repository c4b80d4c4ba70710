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
from repdesk.hub.db import models as m
from repdesk.hub.sync import changes
from repdesk.hub.sync.qualify import apply_qualification
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


def _append(
    session: Session,
    model: type[m.Base],
    entity: str,
    *,
    mutation: Mutation,
    lead: m.Lead,
    rep_id: str,
    **columns: Any,
) -> Outcome:
    """A new rep write about `lead` (appends never conflict), logged for the rep's pulls."""
    if session.get(model, mutation.entity_id) is not None:
        raise Rejected("duplicate_entity", "A record with this id already exists on the hub.")
    row = model(
        id=mutation.entity_id,
        lead_id=lead.id,
        rep_id=rep_id,
        mutation_id=mutation.id,
        version=1,
        **columns,
    )
    session.add(row)
    changes.touch_lead_item(session, entity, mutation.entity_id, lead, 1)
    return Outcome(PushStatus.APPLIED, 1)


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
        return _append(
            session,
            m.CallNote,
            "call_note",
            mutation=mutation,
            lead=lead,
            rep_id=rep_id,
            body=payload.body,
            call_started_at=payload.call_started_at,
            duration_seconds=payload.duration_seconds,
            outcome=payload.outcome,
            created_at=at,
        )
    if isinstance(payload, ObjectionPayload):
        category = session.get(m.ObjectionCategory, payload.category_code)
        if category is None:
            raise Rejected(
                "unknown_category",
                f"The objection category {payload.category_code!r} is not in marketing's list.",
            )
        return _append(
            session,
            m.ObjectionRow,
            "objection",
            mutation=mutation,
            lead=lead,
            rep_id=rep_id,
            category_code=payload.category_code,
            verbatim=payload.verbatim,
            severity=payload.severity,
            campaign_id=payload.campaign_id,
            collateral_id=payload.collateral_id,
            competitor=payload.competitor,
            created_at=at,
        )
    if isinstance(payload, CollateralUsedPayload):
        item = session.get(m.Collateral, payload.collateral_id)
        if item is None:
            raise Rejected("unknown_collateral", "This collateral is not on the hub.")
        return _append(
            session,
            m.CollateralUseRow,
            "collateral_use",
            mutation=mutation,
            lead=lead,
            rep_id=rep_id,
            collateral_id=item.id,
            kind=payload.kind.value,
            used_at=at,
        )
    if isinstance(payload, DispositionPayload):
        if payload.kind is not DispositionKind.ACCEPT and not payload.reason.strip():
            raise Rejected(
                "reason_required",
                "Returning a lead to nurture or disqualifying it needs a reason.",
            )
        outcome = _append(
            session,
            m.DispositionRow,
            "disposition",
            mutation=mutation,
            lead=lead,
            rep_id=rep_id,
            kind=payload.kind.value,
            reason=payload.reason,
            decided_at=at,
        )
        status = DISPOSITION_STATUS[payload.kind]
        if lead.lead_status != status:
            lead.lead_status = status
            lead.version += 1
            lead.updated_at = utcnow()
            changes.touch_lead(session, lead)
        return outcome
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
