"""What each kind of pushed mutation does to the hub's rows (called by `push`, inside
the mutation's savepoint): a new note / objection / use / disposition, or a BANT update.

`Rejected` means nothing of the mutation is kept (its savepoint is rolled back).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from repdesk.domain.feedback import DispositionKind
from repdesk.domain.followups import FollowUpAction
from repdesk.domain.ids import ensure_utc, utcnow
from repdesk.hub.db import models as m
from repdesk.hub.sync import changes
from repdesk.hub.sync.qualify import apply_qualification
from repdesk.protocol.schema import (
    CallNotePayload,
    CollateralUsedPayload,
    DispositionPayload,
    FollowUpPayload,
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
    if isinstance(payload, FollowUpPayload):
        return _set_followup(session, mutation=mutation, payload=payload, lead=lead, rep_id=rep_id)
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


def _set_followup(
    session: Session, *, mutation: Mutation, payload: FollowUpPayload, lead: m.Lead, rep_id: str
) -> Outcome:
    """Create or change a follow-up; the change the rep made last wins (`recorded_at`).

    A change older than the follow-up's current state is `applied` with
    `detail.superseded` and changes nothing, but logs the follow-up again so the device
    that sent it pulls the state that won (it adopts `server_version` at once)."""
    at = ensure_utc(mutation.recorded_at)
    row = session.get(m.FollowUpRow, mutation.entity_id)
    if payload.action is FollowUpAction.CREATE:
        if row is not None:
            raise Rejected("duplicate_entity", "A record with this id already exists on the hub.")
        row = m.FollowUpRow(
            id=mutation.entity_id,
            lead_id=lead.id,
            rep_id=rep_id,
            mutation_id=mutation.id,
            due_at=payload.due_at,
            reason=payload.reason,
            state=payload.state.value,
            last_action=payload.action.value,
            created_at=at,
            updated_at=at,
            version=1,
        )
        session.add(row)
        changes.touch_lead_item(session, "followup", row.id, lead, row.version)
        return Outcome(PushStatus.APPLIED, row.version)
    if row is None or row.lead_id != lead.id:
        raise Rejected(
            "unknown_followup",
            "This follow-up is not on the hub (its creation did not reach it), so this "
            "change was not applied.",
        )
    if at < ensure_utc(row.updated_at):
        changes.touch_lead_item(session, "followup", row.id, lead, row.version)
        return Outcome(PushStatus.APPLIED, row.version, {"superseded": True})
    row.rep_id = rep_id
    row.mutation_id = mutation.id
    row.due_at = payload.due_at
    row.reason = payload.reason
    row.state = payload.state.value
    row.last_action = payload.action.value
    row.updated_at = at
    row.received_at = utcnow()
    row.version += 1
    changes.touch_lead_item(session, "followup", row.id, lead, row.version)
    return Outcome(PushStatus.APPLIED, row.version)


__all__ = ["DISPOSITION_STATUS", "Outcome", "Rejected", "apply_effect"]
