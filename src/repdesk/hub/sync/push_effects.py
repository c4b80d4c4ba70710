"""What each kind of pushed mutation does (called by `push`, in the batch's order): a new
note / objection / use / disposition, a follow-up, or a BANT update.

Each effect is judged against the batch's rows in memory (`push_rows.BatchRows`) and
records its writes in `push_writes.PushWrites`; nothing reaches the database until the
whole batch has been judged. `Rejected` is raised before an effect changes anything, so a
rejected mutation leaves nothing behind (and is not recorded: a retry is judged afresh).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from repdesk.domain.feedback import DispositionKind
from repdesk.domain.followups import FollowUpAction
from repdesk.domain.ids import ensure_utc
from repdesk.domain.outbox import MutationKind
from repdesk.hub.sync.changes import LEAD_ITEM_ENTITIES, Op, Touch
from repdesk.hub.sync.push_rows import BatchRows, FollowUpState, LeadRow, QualState
from repdesk.hub.sync.push_writes import PushWrites
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


@dataclass(frozen=True, slots=True)
class Effect:
    """One mutation's context: who sent it, about which lead, into which batch."""

    rows: BatchRows
    writes: PushWrites
    rep_id: str
    client_id: str
    mutation: Mutation
    lead: LeadRow

    def touch_item(self, entity: str, entity_id: str, version: int) -> None:
        """`changes.touch_lead_item`: a row under the lead changed; its owner pulls it."""
        assert entity in LEAD_ITEM_ENTITIES
        lead = self.lead
        if lead.owner_rep_id is None or lead.deleted:
            return
        self.writes.touches.append(
            Touch(entity, entity_id, lead.owner_rep_id, "upsert", version, lead.id)
        )

    def touch_lead(self) -> None:
        """`changes.touch_lead`: the lead's own fields changed."""
        lead = self.lead
        if lead.owner_rep_id is None:
            return
        op: Op = "remove" if lead.deleted else "upsert"
        self.writes.touches.append(
            Touch("lead", lead.id, lead.owner_rep_id, op, lead.version, lead.id)
        )


_ENTITY = {
    MutationKind.CALL_NOTE_CREATE: "call_note",
    MutationKind.OBJECTION_CREATE: "objection",
    MutationKind.COLLATERAL_USED: "collateral_use",
    MutationKind.DISPOSITION_SET: "disposition",
}


def _append(effect: Effect, **columns: Any) -> Outcome:
    """A new rep write about the lead (appends never conflict), logged for the rep's pulls."""
    mutation = effect.mutation
    taken = effect.rows.entity_ids[mutation.kind]
    if mutation.entity_id in taken:
        raise Rejected("duplicate_entity", "A record with this id already exists on the hub.")
    taken.add(mutation.entity_id)
    effect.writes.appends[mutation.kind].append(
        {
            "id": mutation.entity_id,
            "lead_id": effect.lead.id,
            "rep_id": effect.rep_id,
            "mutation_id": mutation.id,
            "version": 1,
            **columns,
        }
    )
    effect.touch_item(_ENTITY[mutation.kind], mutation.entity_id, 1)
    return Outcome(PushStatus.APPLIED, 1)


def apply_effect(effect: Effect, payload: Wire) -> Outcome:
    mutation, rows = effect.mutation, effect.rows
    at = ensure_utc(mutation.recorded_at)
    if isinstance(payload, CallNotePayload):
        return _append(
            effect,
            body=payload.body,
            call_started_at=payload.call_started_at,
            duration_seconds=payload.duration_seconds,
            outcome=payload.outcome,
            created_at=at,
        )
    if isinstance(payload, ObjectionPayload):
        if payload.category_code not in rows.categories:
            raise Rejected(
                "unknown_category",
                f"The objection category {payload.category_code!r} is not in marketing's list.",
            )
        return _append(
            effect,
            category_code=payload.category_code,
            verbatim=payload.verbatim,
            severity=payload.severity,
            campaign_id=payload.campaign_id,
            collateral_id=payload.collateral_id,
            competitor=payload.competitor,
            created_at=at,
        )
    if isinstance(payload, CollateralUsedPayload):
        if payload.collateral_id not in rows.collateral:
            raise Rejected("unknown_collateral", "This collateral is not on the hub.")
        return _append(
            effect, collateral_id=payload.collateral_id, kind=payload.kind.value, used_at=at
        )
    if isinstance(payload, DispositionPayload):
        if payload.kind is not DispositionKind.ACCEPT and not payload.reason.strip():
            raise Rejected(
                "reason_required",
                "Returning a lead to nurture or disqualifying it needs a reason.",
            )
        outcome = _append(effect, kind=payload.kind.value, reason=payload.reason, decided_at=at)
        status = DISPOSITION_STATUS[payload.kind]
        lead = effect.lead
        if lead.lead_status != status:
            lead.lead_status = status
            lead.version += 1
            lead.dirty = True
            effect.touch_lead()
        return outcome
    if isinstance(payload, FollowUpPayload):
        return _set_followup(effect, payload, at)
    if isinstance(payload, QualificationPayload):
        qual = rows.quals.get(effect.lead.id)
        if qual is None:
            qual = rows.quals[effect.lead.id] = QualState(version=0, new=True)
        result = apply_qualification(
            qual,
            payload,
            base_version=mutation.base_version,
            rep_id=effect.rep_id,
            client_id=effect.client_id,
            mutation_id=mutation.id,
            recorded_at=at,
        )
        if result.applied:
            effect.touch_item("qualification", effect.lead.id, result.version)
        status = PushStatus.CONFLICT if result.conflicts else PushStatus.APPLIED
        detail: dict[str, Any] = {"applied": result.applied}
        if result.conflicts:
            detail["conflicts"] = result.conflicts
        return Outcome(status, result.version, detail)
    raise Rejected("unknown_kind", "This kind of change is not supported by the hub.")


def _set_followup(effect: Effect, payload: FollowUpPayload, at: datetime) -> Outcome:
    """Create or change a follow-up; the change the rep made last wins (`recorded_at`).

    A change older than the follow-up's current state is `applied` with
    `detail.superseded` and changes nothing, but logs the follow-up again so the device
    that sent it pulls the state that won (it adopts `server_version` at once)."""
    mutation, lead = effect.mutation, effect.lead
    row = effect.rows.followups.get(mutation.entity_id)
    if payload.action is FollowUpAction.CREATE:
        if row is not None:
            raise Rejected("duplicate_entity", "A record with this id already exists on the hub.")
        row = effect.rows.followups[mutation.entity_id] = FollowUpState(
            id=mutation.entity_id,
            lead_id=lead.id,
            rep_id=effect.rep_id,
            mutation_id=mutation.id,
            due_at=payload.due_at,
            reason=payload.reason,
            state=payload.state.value,
            last_action=payload.action.value,
            created_at=at,
            updated_at=at,
            version=1,
            new=True,
        )
        effect.touch_item("followup", row.id, row.version)
        return Outcome(PushStatus.APPLIED, row.version)
    if row is None or row.lead_id != lead.id:
        raise Rejected(
            "unknown_followup",
            "This follow-up is not on the hub (its creation did not reach it), so this "
            "change was not applied.",
        )
    if at < ensure_utc(row.updated_at):
        effect.touch_item("followup", row.id, row.version)
        return Outcome(PushStatus.APPLIED, row.version, {"superseded": True})
    row.rep_id = effect.rep_id
    row.mutation_id = mutation.id
    row.due_at = payload.due_at
    row.reason = payload.reason
    row.state = payload.state.value
    row.last_action = payload.action.value
    row.updated_at = at
    row.version += 1
    row.dirty = True
    effect.touch_item("followup", row.id, row.version)
    return Outcome(PushStatus.APPLIED, row.version)


__all__ = ["DISPOSITION_STATUS", "Effect", "Outcome", "Rejected", "apply_effect"]
