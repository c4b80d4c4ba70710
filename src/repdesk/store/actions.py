"""Rep actions: each writes its domain row AND its outbox row in the caller's ONE transaction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from repdesk.domain.changes import NO_CHANGES, Changes
from repdesk.domain.errors import ValidationError
from repdesk.domain.feedback import CallNote, CollateralUse, Disposition, Objection
from repdesk.domain.followups import FollowUp, FollowUpAction, checked
from repdesk.domain.ids import new_id, utcnow
from repdesk.domain.outbox import MutationKind, OutboxItem, OutboxState
from repdesk.domain.qualification import BantAnswer, BantDimension
from repdesk.store import fts
from repdesk.store.convert import answer_to_json, iso, to_db
from repdesk.store.convert_feedback import (
    disposition_values,
    followup_values,
    note_values,
    objection_values,
    outbox_from_row,
    use_values,
)
from repdesk.store.derived import recompute_readiness, touch
from repdesk.store.models import (
    BANT,
    BANT_HISTORY,
    DISPOSITIONS,
    FOLLOWUPS,
    NOTES,
    OBJECTIONS,
    OUTBOX,
    USES,
)
from repdesk.store.reads import bant


def enqueue(
    conn: Connection,
    kind: MutationKind,
    entity_id: str,
    lead_id: str,
    payload: dict[str, Any],
    *,
    base_version: int | None = None,
    recorded_at: datetime | None = None,
    mutation_id: str | None = None,
) -> OutboxItem:
    """Queue one mutation; seq is max+1 (rows are never deleted, one writer holds the lock)."""
    seq = int(conn.execute(select(func.coalesce(func.max(OUTBOX.c.seq), 0))).scalar_one()) + 1
    item = OutboxItem(
        id=mutation_id or new_id(),
        seq=seq,
        kind=kind,
        entity_id=entity_id,
        lead_id=lead_id,
        recorded_at=recorded_at or utcnow(),
        payload=payload,
        base_version=base_version,
    )
    conn.execute(
        insert(OUTBOX).values(
            id=item.id,
            seq=item.seq,
            kind=item.kind.value,
            entity_id=item.entity_id,
            lead_id=item.lead_id,
            recorded_at=to_db(item.recorded_at),
            base_version=item.base_version,
            payload=item.payload,
            state=item.state.value,
            attempts=0,
            detail="",
        )
    )
    return item


def _feedback_changes(lead_id: str, **extra: bool) -> Changes:
    return Changes(
        leads=True,
        lead_ids=frozenset({lead_id}),
        timeline=True,
        feedback=True,
        outbox=True,
        **extra,
    )


def add_call_note(conn: Connection, note: CallNote, index_fts: bool) -> Changes:
    if not note.body.strip():
        raise ValidationError("A call note needs some text.")
    conn.execute(insert(NOTES).values(**note_values(note)))
    if index_fts:
        fts.index_rows(conn, fts.NOTES_FTS, fts.pks_where(conn, fts.NOTES_FTS, "id", [note.id]))
    touch(conn, note.lead_id, note.created_at)
    payload = {
        "body": note.body,
        "call_started_at": iso(note.call_started_at),
        "duration_seconds": note.duration_seconds,
        "outcome": note.outcome,
    }
    enqueue(
        conn,
        MutationKind.CALL_NOTE_CREATE,
        note.id,
        note.lead_id,
        payload,
        recorded_at=note.created_at,
    )
    return _feedback_changes(note.lead_id)


def answer_payload(answer: BantAnswer | None) -> dict[str, Any] | None:
    if answer is None:
        return None
    return {
        "value": answer.value,
        "verbatim": answer.verbatim,
        "confidence": int(answer.confidence),
    }


def _same(a: BantAnswer | None, b: BantAnswer | None) -> bool:
    return answer_payload(a) == answer_payload(b)


def update_bant(
    conn: Connection,
    lead_id: str,
    answers: Mapping[BantDimension, BantAnswer | None],
    rep_id: str = "",
) -> Changes:
    """Record changed answers; base_version is the hub qualification version last seen."""
    current = bant(conn, lead_id)
    now = utcnow()
    changed: dict[BantDimension, BantAnswer | None] = {}
    for key, given in answers.items():
        dim = BantDimension(key)
        answer = (
            None
            if given is None
            else BantAnswer(
                dimension=dim,
                value=given.value,
                verbatim=given.verbatim,
                confidence=given.confidence,
                recorded_by=given.recorded_by or rep_id,
                recorded_at=given.recorded_at or now,
            )
        )
        if not _same(current.get(dim), answer):
            changed[dim] = answer
    if not changed:
        return NO_CHANGES
    fields = {dim.value: answer_payload(a) for dim, a in changed.items()}
    unsent = _unsent_qualification(conn, lead_id, current.version)
    if unsent is not None:
        # Still only on this computer: fold the edit into it (one answer, one mutation).
        mutation_id = unsent.id
        merged = {**unsent.payload.get("fields", {}), **fields}
        conn.execute(
            update(OUTBOX)
            .where(OUTBOX.c.id == mutation_id)
            .values(payload={"fields": merged}, recorded_at=to_db(now))
        )
        write_answers(conn, lead_id, changed, now, source="rep", mutation_id=mutation_id)
    else:
        mutation_id = new_id()
        write_answers(conn, lead_id, changed, now, source="rep", mutation_id=mutation_id)
        enqueue(
            conn,
            MutationKind.QUALIFICATION_UPDATE,
            lead_id,
            lead_id,
            {"fields": fields},
            base_version=current.version,
            recorded_at=now,
            mutation_id=mutation_id,
        )
    return Changes(
        leads=True,
        lead_ids=frozenset({lead_id}),
        timeline=True,
        qualification=True,
        outbox=True,
    )


def _unsent_qualification(conn: Connection, lead_id: str, version: int) -> OutboxItem | None:
    """The lead's queued BANT change that a new edit may be folded into, if any.

    Only one never offered to the hub (`sent_at` is set the moment a push takes it, so an
    item in flight or sent is never changed: exactly-once holds), made against the same
    hub version (a newer pull means the rep has seen newer answers: a new mutation says
    so), and the lead's LAST queued item (folding must not reorder the lead's changes).
    """
    row = conn.execute(
        select(OUTBOX).where(OUTBOX.c.lead_id == lead_id).order_by(OUTBOX.c.seq.desc()).limit(1)
    ).first()
    if row is None:
        return None
    item = outbox_from_row(row)
    fits = (
        item.kind is MutationKind.QUALIFICATION_UPDATE
        and item.state is OutboxState.PENDING
        and item.sent_at is None
        and item.attempts == 0
        and item.base_version == version
        and isinstance(item.payload.get("fields"), dict)
    )
    return item if fits else None


def write_answers(
    conn: Connection,
    lead_id: str,
    changed: Mapping[BantDimension, BantAnswer | None],
    at: datetime,
    *,
    source: str,
    mutation_id: str | None = None,
) -> None:
    """Set current answers, append history, re-judge readiness and touch the lead."""
    values = {dim.value: answer_to_json(a) for dim, a in changed.items()}
    exists = conn.execute(select(BANT.c.lead_id).where(BANT.c.lead_id == lead_id)).first()
    if exists:
        conn.execute(update(BANT).where(BANT.c.lead_id == lead_id).values(**values))
    else:
        conn.execute(insert(BANT).values(lead_id=lead_id, version=0, field_versions={}, **values))
    conn.execute(
        insert(BANT_HISTORY),
        [
            {
                "lead_id": lead_id,
                "dimension": dim.value,
                "value": a.value if a else "",
                "verbatim": a.verbatim if a else "",
                "confidence": int(a.confidence) if a else 2,
                "recorded_by": a.recorded_by if a else "",
                "recorded_at": to_db(a.recorded_at if a and a.recorded_at else at),
                "mutation_id": mutation_id,
                "source": source,
            }
            for dim, a in changed.items()
        ],
    )
    recompute_readiness(conn, [lead_id])
    touch(conn, lead_id, at)


def add_objection(conn: Connection, objection: Objection) -> Changes:
    if not objection.category_code.strip():
        raise ValidationError("Pick what kind of objection this is.")
    conn.execute(insert(OBJECTIONS).values(**objection_values(objection)))
    touch(conn, objection.lead_id, objection.created_at)
    recompute_readiness(conn, [objection.lead_id])  # the next step answers it
    payload = {
        "category_code": objection.category_code,
        "verbatim": objection.verbatim,
        "severity": int(objection.severity),
        "campaign_id": objection.campaign_id,
        "collateral_id": objection.collateral_id,
        "competitor": objection.competitor,
    }
    enqueue(
        conn,
        MutationKind.OBJECTION_CREATE,
        objection.id,
        objection.lead_id,
        payload,
        recorded_at=objection.created_at,
    )
    return _feedback_changes(objection.lead_id)


def set_disposition(conn: Connection, disposition: Disposition) -> Changes:
    conn.execute(insert(DISPOSITIONS).values(**disposition_values(disposition)))
    touch(conn, disposition.lead_id, disposition.decided_at)
    recompute_readiness(conn, [disposition.lead_id])  # the next step follows it
    payload = {"kind": disposition.kind.value, "reason": disposition.reason}
    enqueue(
        conn,
        MutationKind.DISPOSITION_SET,
        disposition.id,
        disposition.lead_id,
        payload,
        recorded_at=disposition.decided_at,
    )
    return _feedback_changes(disposition.lead_id)


def record_collateral_use(conn: Connection, use: CollateralUse) -> Changes:
    conn.execute(insert(USES).values(**use_values(use)))
    touch(conn, use.lead_id, use.used_at)
    payload = {"collateral_id": use.collateral_id, "kind": use.kind.value}
    enqueue(
        conn, MutationKind.COLLATERAL_USED, use.id, use.lead_id, payload, recorded_at=use.used_at
    )
    return _feedback_changes(use.lead_id, collateral=True)


def followup_payload(followup: FollowUp, action: FollowUpAction) -> dict[str, Any]:
    """`followup.set`: what the rep did and the follow-up as it now is (whole state)."""
    return {
        "action": action.value,
        "due_at": iso(followup.due_at),
        "reason": followup.reason,
        "state": followup.state.value,
    }


def set_followup(conn: Connection, followup: FollowUp, action: FollowUpAction) -> Changes:
    """Create or change one follow-up and queue it, in the caller's one transaction."""
    try:
        checked(followup)
    except ValueError as exc:
        raise ValidationError(f"This follow-up cannot be saved: {exc}.") from exc
    if followup.updated_at is None:
        raise ValidationError("A follow-up change needs the time it was made.")
    exists = conn.execute(select(FOLLOWUPS.c.id).where(FOLLOWUPS.c.id == followup.id)).first()
    values = followup_values(followup)
    if action is FollowUpAction.CREATE:
        if exists is not None:
            raise ValidationError("This follow-up already exists.")
        conn.execute(insert(FOLLOWUPS).values(**values))
    else:
        if exists is None:
            raise ValidationError("This follow-up no longer exists on this computer.")
        del values["version"]  # the hub's, adopted when it answers
        conn.execute(update(FOLLOWUPS).where(FOLLOWUPS.c.id == followup.id).values(**values))
    enqueue(
        conn,
        MutationKind.FOLLOWUP_SET,
        followup.id,
        followup.lead_id,
        followup_payload(followup, action),
        recorded_at=followup.updated_at,
    )
    return Changes(leads=True, lead_ids=frozenset({followup.lead_id}), outbox=True, followups=True)
