"""Push: applies a rep's queued mutations, one transaction per batch.

A batch is judged in memory and written in bulk: every row its mutations touch is read
with one query per table (`push_rows.load`), each mutation is then decided in order
against that state (`push_effects`; a rejected one changes nothing and is not recorded,
so a retry is judged afresh), and what the applied ones did (effects, idempotency
records, change-log rows) is written at the end with one executemany per table
(`push_writes`), in ONE savepoint: no mutation is ever kept without its idempotency
record. The batch commits once; a crash before that commit keeps none of it, and the
client resends it whole.

Locking (PostgreSQL; `repdesk.hub.db.engine` has the whole order): the batch runs in
`db.write(rep_id=...)`, so pushes of different reps run in parallel and one rep's pushes
take turns; `push_rows.load` then locks every lead the batch names (`FOR UPDATE`, in id
order) before it reads anything else, so version and conflict checks never work from a
stale read even when a lead's ex-owner pushes feedback about it at the same time.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError

from repdesk.domain.outbox import MutationKind
from repdesk.hub.db.engine import Database
from repdesk.hub.sync import push_effects, push_rows, push_writes
from repdesk.hub.sync.push_effects import Effect, Outcome, Rejected
from repdesk.hub.sync.push_rows import BatchRows, LeadRow, Record
from repdesk.hub.sync.push_writes import PushWrites
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
    """Apply a batch in ONE writing transaction; answers in the batch's order.

    Items that are already a `PushResult` (the route's early rejections) pass through in
    place.
    """
    prepared: list[tuple[Mutation, str] | PushResult] = []
    for item in mutations:
        if isinstance(item, PushResult):
            prepared.append(item)
            continue
        early = _unstorable(item)
        prepared.append(early if early is not None else (item, body_hash(rep_id, item)))
    ready = [item for item in prepared if not isinstance(item, PushResult)]
    if not ready:
        return [item for item in prepared if isinstance(item, PushResult)]
    with db.write(rep_id=rep_id) as session:
        for attempt in (1, 2):
            rows = push_rows.load(session, rep_id, [mutation for mutation, _ in ready])
            writes = PushWrites()
            decided = iter(_decide(rows, writes, rep_id, client_id, ready))
            results = [item if isinstance(item, PushResult) else next(decided) for item in prepared]
            try:
                with session.begin_nested():
                    push_writes.write(session, rows, writes)
            except IntegrityError:
                # A row the batch's reads did not show (another rep's push of the same id,
                # or a row the checks did not foresee): its savepoint is gone; one more
                # look, from fresh reads,
                # answers from what is there now (e.g. the records of a replay), else the
                # error ends the batch and nothing of it is kept.
                if attempt == 2:
                    raise
                log.warning("a push batch hit a constraint; judging it again from fresh reads")
                continue
            return results
    raise AssertionError("unreachable")


def _decide(
    rows: BatchRows,
    writes: PushWrites,
    rep_id: str,
    client_id: str,
    ready: Sequence[tuple[Mutation, str]],
) -> list[PushResult]:
    """Each mutation in order against the batch's rows in memory."""
    results = []
    for mutation, digest in ready:
        try:
            outcome = _process(
                rows, writes, rep_id=rep_id, client_id=client_id, mutation=mutation, digest=digest
            )
        except Rejected as exc:
            results.append(
                PushResult(id=mutation.id, status=PushStatus.REJECTED, detail=exc.detail)
            )
            continue
        results.append(
            PushResult(
                id=mutation.id,
                status=outcome.status,
                server_version=outcome.server_version,
                detail=outcome.detail,
            )
        )
    return results


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
    rows: BatchRows,
    writes: PushWrites,
    *,
    rep_id: str,
    client_id: str,
    mutation: Mutation,
    digest: str,
) -> Outcome:
    done = rows.records.get(mutation.id)
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
    lead = _lead_for(rows, rep_id, mutation)
    payload = _payload(mutation)
    outcome = push_effects.apply_effect(
        Effect(rows, writes, rep_id, client_id, mutation, lead), payload
    )
    rows.records[mutation.id] = Record(
        digest, outcome.status.value, outcome.server_version, outcome.detail
    )
    writes.records.append(
        {
            "mutation_id": mutation.id,
            "client_id": client_id,
            "rep_id": rep_id,
            "body_hash": digest,
            "kind": mutation.kind.value,
            "lead_id": mutation.lead_id,
            "status": outcome.status.value,
            "server_version": outcome.server_version,
            "detail": outcome.detail,
        }
    )
    return outcome


def _lead_for(rows: BatchRows, rep_id: str, mutation: Mutation) -> LeadRow:
    lead = rows.leads.get(mutation.lead_id)
    if lead is None:
        raise Rejected("not_found", NOT_FOUND)
    if lead.owner_rep_id == rep_id and not lead.deleted:
        return lead
    if not lead.was_owner:
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
    # Parsed values (e.g. "0001-01-01T00:00+05:00") can overflow where the raw text did not;
    # the raw payload's text and numbers were checked before (`_unstorable`).
    unstorable = problem({name: v for name, v in payload if isinstance(v, datetime)})
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
