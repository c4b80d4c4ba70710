"""Push: applies a rep's queued mutations, one transaction per batch, a savepoint each.

Each mutation's effect, its change-log rows and its idempotency record go into one
SAVEPOINT: a rejected mutation rolls back only its savepoint, so it changes nothing and
is not recorded (a retry is judged afresh), and no mutation is ever kept without its
idempotency record. The batch commits once (one fsync instead of one per mutation); a
crash before that commit keeps none of the batch, and the client resends it whole.

Locking (PostgreSQL; `repdesk.hub.db.engine` has the whole order): the batch runs in
`db.write(rep_id=...)`, so pushes of different reps run in parallel and one rep's pushes
take turns; then `_lock_leads` takes the row locks of every lead the batch names, in id
order, before anything reads them, so version and conflict checks never work from a
stale read even when a lead's ex-owner pushes feedback about it at the same time.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from repdesk.domain.outbox import MutationKind
from repdesk.hub.db import models as m
from repdesk.hub.db.engine import Database
from repdesk.hub.sync import changes, push_effects
from repdesk.hub.sync.push_effects import Outcome, Rejected
from repdesk.hub.sync.storable import problem
from repdesk.protocol.schema import (
    PAYLOAD_MODELS,
    Mutation,
    PushResult,
    PushStatus,
    Wire,
)

log = logging.getLogger(__name__)

APPENDS = frozenset(
    {MutationKind.CALL_NOTE_CREATE, MutationKind.OBJECTION_CREATE, MutationKind.COLLATERAL_USED}
)
KEPT_AFTER_REASSIGNMENT = APPENDS | {MutationKind.FOLLOWUP_SET}
"""Accepted about a lead the rep once owned: feedback, and call-backs promised to the
prospect (the lead's new owner pulls them)."""
NOT_FOUND = "This lead does not exist or is not assigned to you."
NOT_ASSIGNED = (
    "This lead has been reassigned, so this change was not applied; "
    "your notes and objections about it were still kept."
)


def body_hash(rep_id: str, mutation: Mutation) -> str:
    """sha256 of the canonical JSON of the mutation as sent, bound to the rep."""
    canonical = json.dumps(
        {"rep": rep_id, "mutation": mutation.model_dump(mode="json")},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def validation_errors(exc: ValidationError) -> list[dict[str, str]]:
    """Pydantic errors without the offending input (it may be large or sensitive)."""
    return [
        {"field": ".".join(str(p) for p in err["loc"]) or "(body)", "message": err["msg"]}
        for err in exc.errors(include_input=False, include_url=False)
    ][:20]


def rejected(mutation_id: str, code: str, reason: str, **extra: Any) -> PushResult:
    return PushResult(
        id=mutation_id,
        status=PushStatus.REJECTED,
        detail={"code": code, "reason": reason, **extra},
    )


def push_batch(
    db: Database, rep_id: str, client_id: str, mutations: Sequence[Mutation | PushResult]
) -> list[PushResult]:
    """Apply a batch in ONE writing transaction, each mutation in its own savepoint.

    Items that are already a `PushResult` (the route's early rejections) pass through in
    place, so the answers keep the batch's order.
    """
    prepared: list[tuple[Mutation, str] | PushResult] = []
    for item in mutations:
        if isinstance(item, PushResult):
            prepared.append(item)
            continue
        early = _unstorable(item)
        prepared.append(early if early is not None else (item, body_hash(rep_id, item)))
    if all(isinstance(item, PushResult) for item in prepared):
        return [item for item in prepared if isinstance(item, PushResult)]
    results: list[PushResult] = []
    with db.write(rep_id=rep_id) as session:
        _lock_leads(session, prepared)
        # One query for the batch instead of a look-up per mutation: most are new.
        ids = [ready[0].id for ready in prepared if not isinstance(ready, PushResult)]
        seen: set[str] = set()
        for part in changes.chunks(ids):
            seen.update(
                session.scalars(
                    select(m.ProcessedMutation.mutation_id).where(
                        m.ProcessedMutation.mutation_id.in_(part)
                    )
                )
            )
        # The change-log rows of the whole batch are written at its end, in bulk (same
        # transaction, so still together with each effect and idempotency record).
        with changes.deferred_touches(session) as pending:
            for ready in prepared:
                if isinstance(ready, PushResult):
                    results.append(ready)
                    continue
                result = _in_savepoint(
                    session, rep_id, client_id, *ready, seen=ready[0].id in seen, pending=pending
                )
                if result.status is not PushStatus.REJECTED:
                    seen.add(ready[0].id)
                results.append(result)
    return results


def _lock_leads(session: Session, prepared: Sequence[tuple[Mutation, str] | PushResult]) -> None:
    """Lock (SELECT ... FOR UPDATE; nothing on SQLite) and load every lead the batch names,
    in id order: the fixed order keeps two reps' batches naming the same leads from
    deadlocking. The loaded leads stay in the session, so `_lead_for` reads them."""
    lead_ids = sorted({ready[0].lead_id for ready in prepared if not isinstance(ready, PushResult)})
    for part in changes.chunks(lead_ids):
        session.scalars(
            select(m.Lead).where(m.Lead.id.in_(part)).order_by(m.Lead.id).with_for_update()
        ).all()


def _in_savepoint(
    session: Session,
    rep_id: str,
    client_id: str,
    mutation: Mutation,
    digest: str,
    *,
    seen: bool,
    pending: list[changes.Touch],
) -> PushResult:
    mark = len(pending)
    for attempt in (1, 2):
        del pending[mark:]  # a rolled-back savepoint takes its change-log entries with it
        try:
            with session.begin_nested():
                outcome = _process(session, rep_id, client_id, mutation, digest, seen=seen)
            return PushResult(
                id=mutation.id,
                status=outcome.status,
                server_version=outcome.server_version,
                detail=outcome.detail,
            )
        except Rejected as exc:
            del pending[mark:]
            return PushResult(id=mutation.id, status=PushStatus.REJECTED, detail=exc.detail)
        except IntegrityError:
            # Another rep's push (same id) or a row the checks did not foresee; the
            # savepoint is gone, the batch goes on: one more look answers from the record
            # if there is one, else the error ends the batch (nothing of it is kept).
            if attempt == 2:
                raise
            log.warning("mutation %s hit a constraint; re-checking it once", mutation.id)
            seen = True
    raise AssertionError("unreachable")


def _unstorable(mutation: Mutation) -> PushResult | None:
    unstorable = problem(
        [mutation.id, mutation.entity_id, mutation.lead_id, mutation.recorded_at], check_ints=False
    ) or problem(mutation.payload)
    if unstorable:
        return rejected(
            mutation.id,
            "invalid_payload",
            "This change holds a value the hub cannot store and was not applied.",
            errors=[{"field": "payload", "message": unstorable}],
        )
    return None


def _process(
    session: Session,
    rep_id: str,
    client_id: str,
    mutation: Mutation,
    digest: str,
    *,
    seen: bool = True,
) -> Outcome:
    """`seen`: whether the id may already be recorded (False skips the look-up)."""
    done = session.get(m.ProcessedMutation, mutation.id) if seen else None
    if done is not None:
        if done.body_hash != digest:
            raise Rejected(
                "id_reused",
                "This change's id was already used for a different change; it was not applied.",
            )
        return Outcome(
            PushStatus.DUPLICATE,
            done.server_version,
            {**done.detail, "original_status": done.status},
        )
    lead = _lead_for(session, rep_id, mutation)
    payload = _payload(mutation)
    outcome = push_effects.apply_effect(
        session, rep_id=rep_id, client_id=client_id, mutation=mutation, payload=payload, lead=lead
    )
    session.add(
        m.ProcessedMutation(
            mutation_id=mutation.id,
            client_id=client_id,
            rep_id=rep_id,
            body_hash=digest,
            kind=mutation.kind.value,
            lead_id=mutation.lead_id,
            status=outcome.status.value,
            server_version=outcome.server_version,
            detail=outcome.detail,
        )
    )
    session.flush()
    return outcome


def _was_owner(session: Session, rep_id: str, lead_id: str) -> bool:
    """Whether the lead was ever assigned to the rep (the change log remembers it)."""
    row = session.scalar(
        select(m.ChangeLog.seq).where(
            m.ChangeLog.entity == "lead",
            m.ChangeLog.entity_id == lead_id,
            m.ChangeLog.audience == rep_id,
        )
    )
    return row is not None


def _lead_for(session: Session, rep_id: str, mutation: Mutation) -> m.Lead:
    lead = session.get(m.Lead, mutation.lead_id)
    if lead is None:
        raise Rejected("not_found", NOT_FOUND)
    if lead.owner_rep_id == rep_id and not lead.deleted:
        return lead
    if not _was_owner(session, rep_id, lead.id):
        # Exactly the answer a made-up id gets, so other reps' leads cannot be probed.
        raise Rejected("not_found", NOT_FOUND)
    if mutation.kind in KEPT_AFTER_REASSIGNMENT:
        return lead  # feedback written before the reassignment still reaches marketing
    raise Rejected("not_assigned", NOT_ASSIGNED)


def _payload(mutation: Mutation) -> Wire:
    model = PAYLOAD_MODELS[mutation.kind]
    try:
        payload = model.model_validate(mutation.payload)
    except ValidationError as exc:
        raise Rejected(
            "invalid_payload",
            "This change was not understood by the hub and was not applied.",
            errors=validation_errors(exc),
        ) from exc
    # Parsed values (e.g. "0001-01-01T00:00+05:00") can overflow where the raw text did not.
    unstorable = problem(dict(payload))
    if unstorable:
        raise Rejected(
            "invalid_payload",
            "This change holds a value the hub cannot store and was not applied.",
            errors=[{"field": "payload", "message": unstorable}],
        )
    return payload


__all__ = [
    "KEPT_AFTER_REASSIGNMENT",
    "Outcome",
    "Rejected",
    "body_hash",
    "push_batch",
    "rejected",
    "validation_errors",
]
