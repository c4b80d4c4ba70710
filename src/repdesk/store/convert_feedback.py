"""Row <-> domain conversions for the rep's own writes (feedback) and the outbox."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row

from repdesk.domain.feedback import (
    CallNote,
    CollateralUse,
    Disposition,
    DispositionKind,
    Objection,
    Severity,
    UseKind,
)
from repdesk.domain.followups import FollowUp, FollowUpState
from repdesk.domain.outbox import (
    Conflict,
    ConflictState,
    MutationKind,
    OutboxItem,
    OutboxState,
)
from repdesk.store.convert import from_db, must, to_db

# --- the rep's feedback ------------------------------------------------------------------


def note_values(n: CallNote, version: int = 0) -> dict[str, Any]:
    return {
        "id": n.id,
        "version": version,
        "lead_id": n.lead_id,
        "body": n.body,
        "created_at": to_db(n.created_at),
        "author_rep_id": n.author_rep_id,
        "call_started_at": to_db(n.call_started_at),
        "duration_seconds": n.duration_seconds,
        "outcome": n.outcome,
    }


def note_from_row(r: Row[Any]) -> CallNote:
    return CallNote(
        id=r.id,
        lead_id=r.lead_id,
        body=r.body,
        created_at=must(r.created_at),
        author_rep_id=r.author_rep_id,
        call_started_at=from_db(r.call_started_at),
        duration_seconds=r.duration_seconds,
        outcome=r.outcome,
    )


def objection_values(o: Objection, version: int = 0) -> dict[str, Any]:
    return {
        "id": o.id,
        "version": version,
        "lead_id": o.lead_id,
        "category_code": o.category_code,
        "verbatim": o.verbatim,
        "created_at": to_db(o.created_at),
        "severity": int(o.severity),
        "campaign_id": o.campaign_id,
        "collateral_id": o.collateral_id,
        "competitor": o.competitor,
        "resolved": o.resolved,
    }


def objection_from_row(r: Row[Any]) -> Objection:
    return Objection(
        id=r.id,
        lead_id=r.lead_id,
        category_code=r.category_code,
        verbatim=r.verbatim,
        created_at=must(r.created_at),
        severity=Severity(r.severity),
        campaign_id=r.campaign_id,
        collateral_id=r.collateral_id,
        competitor=r.competitor,
        resolved=bool(r.resolved),
    )


def disposition_values(d: Disposition, version: int = 0) -> dict[str, Any]:
    return {
        "id": d.id,
        "version": version,
        "lead_id": d.lead_id,
        "kind": d.kind.value,
        "decided_at": to_db(d.decided_at),
        "reason": d.reason,
    }


def disposition_from_row(r: Row[Any]) -> Disposition:
    return Disposition(
        id=r.id,
        lead_id=r.lead_id,
        kind=DispositionKind(r.kind),
        decided_at=must(r.decided_at),
        reason=r.reason,
    )


def use_values(u: CollateralUse, version: int = 0) -> dict[str, Any]:
    return {
        "id": u.id,
        "version": version,
        "lead_id": u.lead_id,
        "collateral_id": u.collateral_id,
        "kind": u.kind.value,
        "used_at": to_db(u.used_at),
    }


def use_from_row(r: Row[Any]) -> CollateralUse:
    return CollateralUse(
        id=r.id,
        lead_id=r.lead_id,
        collateral_id=r.collateral_id,
        kind=UseKind(r.kind),
        used_at=must(r.used_at),
    )


def followup_values(f: FollowUp, version: int | None = None) -> dict[str, Any]:
    """Columns of a follow-up (`reminded_at` is local and never comes from here)."""
    return {
        "id": f.id,
        "version": f.version if version is None else version,
        "lead_id": f.lead_id,
        "due_at": to_db(f.due_at),
        "reason": f.reason,
        "state": f.state.value,
        "created_at": to_db(f.created_at),
        "updated_at": to_db(f.updated_at),
    }


def followup_from_row(r: Row[Any]) -> FollowUp:
    try:
        state = FollowUpState(r.state)
    except ValueError:
        state = FollowUpState.CANCELLED  # a state from a newer version: not ours to chase
    return FollowUp(
        id=r.id,
        lead_id=r.lead_id,
        due_at=must(r.due_at),
        reason=r.reason,
        state=state,
        created_at=from_db(r.created_at),
        updated_at=from_db(r.updated_at),
        version=r.version,
    )


# --- outbox ------------------------------------------------------------------------------


def outbox_from_row(r: Row[Any]) -> OutboxItem:
    return OutboxItem(
        id=r.id,
        seq=r.seq,
        kind=MutationKind(r.kind),
        entity_id=r.entity_id,
        lead_id=r.lead_id,
        recorded_at=must(r.recorded_at),
        payload=dict(r.payload),
        base_version=r.base_version,
        state=OutboxState(r.state),
        attempts=r.attempts,
        detail=r.detail,
        sent_at=from_db(r.sent_at),
    )


def conflict_from_row(r: Row[Any]) -> Conflict:
    return Conflict(
        id=r.id,
        mutation_id=r.mutation_id,
        lead_id=r.lead_id,
        field=r.field,
        mine=r.mine,
        theirs=r.theirs,
        server_version=r.server_version,
        state=ConflictState(r.state),
        created_at=from_db(r.created_at),
    )
