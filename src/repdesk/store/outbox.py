"""The outbox after the fact: what to push, what the hub said, retries and conflicts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, Table, Update, bindparam, delete, func, insert, select, update

from repdesk.domain.changes import NO_CHANGES, Changes
from repdesk.domain.errors import StoreError
from repdesk.domain.ids import new_id, utcnow
from repdesk.domain.outbox import Conflict, ConflictState, MutationKind, OutboxItem, OutboxState
from repdesk.domain.qualification import BantAnswer, BantDimension, Confidence
from repdesk.store.actions import enqueue, write_answers
from repdesk.store.api import MutationOutcome, OutboxCounts
from repdesk.store.convert import to_db
from repdesk.store.convert_feedback import conflict_from_row, outbox_from_row
from repdesk.store.models import (
    BANT,
    CONFLICTS,
    DISPOSITIONS,
    FOLLOWUPS,
    NOTES,
    OBJECTIONS,
    OUTBOX,
    USES,
)

_ENTITY_TABLES = {
    MutationKind.CALL_NOTE_CREATE.value: NOTES,
    MutationKind.OBJECTION_CREATE.value: OBJECTIONS,
    MutationKind.DISPOSITION_SET.value: DISPOSITIONS,
    MutationKind.COLLATERAL_USED.value: USES,
    MutationKind.FOLLOWUP_SET.value: FOLLOWUPS,
}


def pending(conn: Connection, limit: int, *, after_seq: int | None = None) -> list[OutboxItem]:
    stmt = select(OUTBOX).where(OUTBOX.c.state == OutboxState.PENDING.value)
    if after_seq is not None:
        stmt = stmt.where(OUTBOX.c.seq > after_seq)
    rows = conn.execute(stmt.order_by(OUTBOX.c.seq).limit(limit))
    return [outbox_from_row(r) for r in rows]


def take_for_push(
    conn: Connection, limit: int, *, after_seq: int | None = None
) -> list[OutboxItem]:
    """The next pending items (after `after_seq`: those a push already took), each
    stamped as offered to the hub (`sent_at`), in one transaction: from here on a local
    edit is never folded into them."""
    taken = pending(conn, limit, after_seq=after_seq)
    fresh = [i.id for i in taken if i.sent_at is None]
    if fresh:
        conn.execute(update(OUTBOX).where(OUTBOX.c.id.in_(fresh)).values(sent_at=to_db(utcnow())))
    return taken


def items(conn: Connection, states: Sequence[OutboxState] = ()) -> list[OutboxItem]:
    stmt = select(OUTBOX).order_by(OUTBOX.c.seq)
    if states:
        stmt = stmt.where(OUTBOX.c.state.in_([s.value for s in states]))
    return [outbox_from_row(r) for r in conn.execute(stmt)]


def counts(conn: Connection) -> OutboxCounts:
    by_state = {
        state: n
        for state, n in conn.execute(select(OUTBOX.c.state, func.count()).group_by(OUTBOX.c.state))
    }
    open_conflicts = conn.execute(
        select(func.count()).where(CONFLICTS.c.state == ConflictState.OPEN.value)
    ).scalar_one()
    return OutboxCounts(
        pending=int(by_state.get(OutboxState.PENDING.value, 0)),
        rejected=int(by_state.get(OutboxState.REJECTED.value, 0)),
        conflicts=int(open_conflicts),
    )


_OUTCOME = (
    update(OUTBOX)
    .where(OUTBOX.c.id == bindparam("b_id"))
    .values(
        state=bindparam("b_state"),
        detail=bindparam("b_detail"),
        attempts=OUTBOX.c.attempts + 1,
        sent_at=bindparam("b_sent_at"),
    )
)
"""One outcome's outbox row (built once; executed for a whole batch of outcomes)."""


def _adopt(table: Table, key: str) -> Update:
    """The hub's version for what we just created, so the echo in the next pull is a
    no-op; never lowers a version a newer pull already brought."""
    return (
        update(table)
        .where(table.c[key] == bindparam("b_key"))
        .where(table.c.version < bindparam("b_version"))
        .values(version=bindparam("b_version"))
    )


_ADOPT = {kind: _adopt(t, "id") for kind, t in _ENTITY_TABLES.items()} | {
    MutationKind.QUALIFICATION_UPDATE.value: _adopt(BANT, "lead_id")
}
_CHUNK = 500
"""Ids per IN (...) list."""


def apply_outcomes(conn: Connection, outcomes: Sequence[MutationOutcome]) -> Changes:
    """A batch of the hub's answers in a few statements: one read of their outbox rows,
    one executemany for the outbox, one per kind of entity whose version is adopted."""
    ids = list(dict.fromkeys(o.mutation_id for o in outcomes))
    rows = {}
    for start in range(0, len(ids), _CHUNK):
        part = ids[start : start + _CHUNK]
        for found in conn.execute(
            select(OUTBOX.c.id, OUTBOX.c.kind, OUTBOX.c.entity_id, OUTBOX.c.lead_id).where(
                OUTBOX.c.id.in_(part)
            )
        ):
            rows[found.id] = found
    lead_ids: set[str] = set()
    now = to_db(utcnow())
    states: list[dict[str, object]] = []
    adopted: dict[str, list[dict[str, object]]] = {}
    for outcome in outcomes:
        row = rows.get(outcome.mutation_id)
        if row is None:
            continue
        lead_ids.add(row.lead_id)
        states.append(
            {
                "b_id": row.id,
                "b_state": outcome.state.value,
                "b_detail": outcome.detail,
                "b_sent_at": now,
            }  # fmt: skip
        )
        if outcome.state is OutboxState.APPLIED and outcome.server_version is not None:
            if row.kind in _ADOPT:
                key = row.lead_id if row.kind == MutationKind.QUALIFICATION_UPDATE.value else None
                adopted.setdefault(row.kind, []).append(
                    {"b_key": key or row.entity_id, "b_version": outcome.server_version}
                )
        elif outcome.state is OutboxState.CONFLICT:
            _record_conflicts(conn, row.id, row.lead_id, outcome, now)
    if states:
        conn.execute(_OUTCOME, states)
    for kind, params in adopted.items():
        conn.execute(_ADOPT[kind], params)
    if not lead_ids:
        return NO_CHANGES
    return Changes(
        leads=True, lead_ids=frozenset(lead_ids), timeline=True, outbox=True, qualification=True
    )


def _record_conflicts(
    conn: Connection,
    mutation_id: str,
    lead_id: str,
    outcome: MutationOutcome,
    now: datetime | None,
) -> None:
    """A retried mutation that conflicts again replaces its earlier open records."""
    conn.execute(
        delete(CONFLICTS)
        .where(CONFLICTS.c.mutation_id == mutation_id)
        .where(CONFLICTS.c.state == ConflictState.OPEN.value)
    )
    if outcome.conflicts:
        conn.execute(
            insert(CONFLICTS),
            [
                {
                    "id": new_id(),
                    "mutation_id": mutation_id,
                    "lead_id": lead_id,
                    "field": c.field,
                    "mine": c.mine,
                    "theirs": c.theirs,
                    "server_version": outcome.server_version or 0,
                    "state": ConflictState.OPEN.value,
                    "created_at": now,
                }
                for c in outcome.conflicts
            ],
        )


def retry(conn: Connection, mutation_id: str) -> Changes:
    row = conn.execute(select(OUTBOX).where(OUTBOX.c.id == mutation_id)).first()
    if row is None or row.state not in (OutboxState.REJECTED.value, OutboxState.CONFLICT.value):
        return NO_CHANGES
    conn.execute(
        update(OUTBOX)
        .where(OUTBOX.c.id == mutation_id)
        .values(state=OutboxState.PENDING.value, detail="")
    )
    return Changes(leads=True, lead_ids=frozenset({row.lead_id}), timeline=True, outbox=True)


def conflicts(conn: Connection, open_only: bool = True) -> list[Conflict]:
    stmt = select(CONFLICTS).order_by(CONFLICTS.c.created_at, CONFLICTS.c.id)
    if open_only:
        stmt = stmt.where(CONFLICTS.c.state == ConflictState.OPEN.value)
    return [conflict_from_row(r) for r in conn.execute(stmt)]


def resolve(conn: Connection, conflict_id: str, keep_mine: bool) -> Changes:
    """Keep mine: queue the rep's answer again against the hub's version. Take theirs: local."""
    row = conn.execute(select(CONFLICTS).where(CONFLICTS.c.id == conflict_id)).first()
    if row is None:
        raise StoreError("That conflict no longer exists; it may have been resolved already.")
    if row.state != ConflictState.OPEN.value:
        return NO_CHANGES
    try:
        dim: BantDimension | None = BantDimension(row.field)
    except ValueError:
        dim = None
    now = utcnow()
    if keep_mine and dim is not None:
        mutation = conn.execute(select(OUTBOX).where(OUTBOX.c.id == row.mutation_id)).first()
        fields = (mutation.payload or {}).get("fields", {}) if mutation is not None else {}
        mine = fields.get(dim.value) or {"value": row.mine, "verbatim": "", "confidence": 2}
        enqueue(
            conn,
            MutationKind.QUALIFICATION_UPDATE,
            row.lead_id,
            row.lead_id,
            {"fields": {dim.value: mine if row.mine else None}},
            base_version=row.server_version,
            recorded_at=now,
        )
    elif dim is not None:
        theirs = (
            BantAnswer(
                dimension=dim, value=row.theirs, confidence=Confidence.MEDIUM, recorded_at=now
            )
            if row.theirs
            else None
        )
        write_answers(conn, row.lead_id, {dim: theirs}, now, source="hub")
        conn.execute(
            update(BANT)
            .where(BANT.c.lead_id == row.lead_id)
            .where(BANT.c.version < row.server_version)
            .values(version=row.server_version)
        )
    state = ConflictState.KEPT_MINE if keep_mine else ConflictState.TOOK_THEIRS
    conn.execute(update(CONFLICTS).where(CONFLICTS.c.id == conflict_id).values(state=state.value))
    return Changes(
        leads=True,
        lead_ids=frozenset({row.lead_id}),
        timeline=True,
        qualification=True,
        outbox=True,
    )
