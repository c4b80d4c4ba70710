"""What a push batch reads before it decides anything: every row its mutations touch,
loaded with one query per table (per chunk of ids), then kept in memory as mutable
state while `push_effects` judges the mutations one after another.

The decisions (idempotency, ownership, duplicate entities, follow-up order, BANT
conflicts) are made against this state, never against the database row by row, and
`push_writes` writes what changed at the end of the batch.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ARRAY, String, Table, any_, bindparam, select
from sqlalchemy.orm import Session

from repdesk.domain.outbox import MutationKind
from repdesk.hub.db import models as m
from repdesk.hub.db.base import table_of
from repdesk.hub.sync.changes import chunks
from repdesk.protocol.schema import Mutation

APPEND_MODELS: dict[MutationKind, type[m.Base]] = {
    MutationKind.CALL_NOTE_CREATE: m.CallNote,
    MutationKind.OBJECTION_CREATE: m.ObjectionRow,
    MutationKind.COLLATERAL_USED: m.CollateralUseRow,
    MutationKind.DISPOSITION_SET: m.DispositionRow,
}
"""Kinds that create a row with id `entity_id` (a second one is `duplicate_entity`)."""


@dataclass(slots=True)
class Record:
    """A processed mutation (`processed_mutations`): what a replay answers."""

    body_hash: str
    status: str
    server_version: int | None
    detail: dict[str, Any]


@dataclass(slots=True)
class LeadRow:
    id: str
    owner_rep_id: str | None
    deleted: bool
    lead_status: str
    version: int
    was_owner: bool = False
    """For a lead that is not the rep's now: whether it ever was (the change log knows)."""
    dirty: bool = False


@dataclass(slots=True)
class FollowUpState:
    id: str
    lead_id: str
    rep_id: str
    mutation_id: str
    due_at: datetime
    reason: str
    state: str
    last_action: str
    created_at: datetime
    updated_at: datetime
    version: int
    new: bool = False
    dirty: bool = False


@dataclass(slots=True)
class FieldState:
    """One BANT dimension's answer (`qualification_fields`)."""

    dimension: str
    value: str | None = None
    verbatim: str = ""
    confidence: int = 2
    recorded_by: str = ""
    recorded_at: datetime | None = None
    version: int = 0
    mutation_id: str = ""
    client_id: str = ""
    new: bool = False
    dirty: bool = False


@dataclass(slots=True)
class QualState:
    """A lead's BANT state (`qualifications` and its fields)."""

    version: int
    fields: dict[str, FieldState] = field(default_factory=dict)
    new: bool = False
    dirty: bool = False


@dataclass(slots=True)
class BatchRows:
    """The rows one batch touches, as loaded, then as the batch's decisions change them."""

    records: dict[str, Record]
    leads: dict[str, LeadRow]
    entity_ids: dict[MutationKind, set[str]]
    """Ids already taken per appended kind (grows as the batch appends)."""
    categories: set[str]
    collateral: set[str]
    followups: dict[str, FollowUpState]
    quals: dict[str, QualState]


Member = Callable[[Any], Any]
"""`column IN <these ids>`, written as the back-end reads it best."""


def _in(session: Session, stmt_for: Callable[[Member], Any], ids: Collection[str]) -> Iterable[Any]:
    """The rows of `stmt_for(member)` for `ids`: on PostgreSQL one statement with ONE array
    parameter (`= ANY(:ids)`: the same text whatever the count, so psycopg prepares it once
    and the server plans it once), elsewhere one per chunk of ids as `IN (...)`."""
    ordered = sorted(ids)
    if not ordered:
        return
    if session.get_bind().dialect.name == "postgresql":
        array = bindparam("ids", ordered, type_=ARRAY(String()))
        yield from session.execute(stmt_for(lambda column: column == any_(array)))
        return
    for part in chunks(ordered):
        yield from session.execute(stmt_for(_in_list(part)))


def _in_list(ids: Sequence[str]) -> Member:
    return lambda column: column.in_(ids)


def load(session: Session, rep_id: str, mutations: Sequence[Mutation]) -> BatchRows:
    """Everything `mutations` touch, one query per table (SQLite: per chunk of 500 ids)."""
    lead_ids = {mu.lead_id for mu in mutations}
    # -- Where a batch reads the rows it then checks (ownership, versions, BANT fields,
    # follow-ups). The leads come FIRST and are locked (`FOR UPDATE`, in id order, so two
    # batches naming the same leads never deadlock; SQLite has one writer and ignores
    # it): every read below then sees what committed before the locks were granted (READ
    # COMMITTED), e.g. the processed-mutation records of a concurrent replay, and the
    # follow-ups and BANT rows below belong to these leads, so their locks cover them.
    leads = {
        row.id: LeadRow(row.id, row.owner_rep_id, bool(row.deleted), row.lead_status, row.version)
        for row in _in(
            session,
            lambda member: (
                select(
                    m.Lead.id,
                    m.Lead.owner_rep_id,
                    m.Lead.deleted,
                    m.Lead.lead_status,
                    m.Lead.version,
                )
                .where(member(m.Lead.id))
                .order_by(m.Lead.id)
                .with_for_update()
            ),
            lead_ids,
        )
    }
    not_mine = [lead.id for lead in leads.values() if lead.owner_rep_id != rep_id or lead.deleted]
    for (lead_id,) in _in(
        session,
        lambda member: select(m.ChangeLog.entity_id).where(
            m.ChangeLog.entity == "lead",
            m.ChangeLog.audience == rep_id,
            member(m.ChangeLog.entity_id),
        ),
        not_mine,
    ):
        leads[lead_id].was_owner = True

    records = {
        row.mutation_id: Record(row.body_hash, row.status, row.server_version, row.detail or {})
        for row in _in(
            session,
            lambda member: select(
                m.ProcessedMutation.mutation_id,
                m.ProcessedMutation.body_hash,
                m.ProcessedMutation.status,
                m.ProcessedMutation.server_version,
                m.ProcessedMutation.detail,
            ).where(member(m.ProcessedMutation.mutation_id)),
            {mu.id for mu in mutations},
        )
    }

    entity_ids: dict[MutationKind, set[str]] = {}
    for kind, model in APPEND_MODELS.items():
        wanted = {mu.entity_id for mu in mutations if mu.kind is kind}
        entity_ids[kind] = {row_id for (row_id,) in _in(session, _ids_of(table_of(model)), wanted)}

    codes = _payload_strings(mutations, MutationKind.OBJECTION_CREATE, "category_code")
    categories = {
        code
        for (code,) in _in(
            session,
            lambda member: select(m.ObjectionCategory.code).where(member(m.ObjectionCategory.code)),
            codes,
        )
    }
    used = _payload_strings(mutations, MutationKind.COLLATERAL_USED, "collateral_id")
    collateral = {
        item_id
        for (item_id,) in _in(
            session,
            lambda member: select(m.Collateral.id).where(member(m.Collateral.id)),
            used,
        )
    }
    return BatchRows(
        records=records,
        leads=leads,
        entity_ids=entity_ids,
        categories=categories,
        collateral=collateral,
        followups=_followups(session, mutations),
        quals=_quals(session, mutations),
    )


def _ids_of(table: Table) -> Callable[[Member], Any]:
    return lambda member: select(table.c.id).where(member(table.c.id))


def _payload_strings(mutations: Sequence[Mutation], kind: MutationKind, key: str) -> set[str]:
    out = set()
    for mu in mutations:
        if mu.kind is kind and isinstance(value := mu.payload.get(key), str):
            out.add(value)
    return out


def _followups(session: Session, mutations: Sequence[Mutation]) -> dict[str, FollowUpState]:
    wanted = {mu.entity_id for mu in mutations if mu.kind is MutationKind.FOLLOWUP_SET}
    f = table_of(m.FollowUpRow)
    cols = (
        f.c.id, f.c.lead_id, f.c.rep_id, f.c.mutation_id, f.c.due_at, f.c.reason, f.c.state,
        f.c.last_action, f.c.created_at, f.c.updated_at, f.c.version,
    )  # fmt: skip
    return {
        row.id: FollowUpState(*row)
        for row in _in(session, lambda member: select(*cols).where(member(f.c.id)), wanted)
    }


def _quals(session: Session, mutations: Sequence[Mutation]) -> dict[str, QualState]:
    wanted = {mu.lead_id for mu in mutations if mu.kind is MutationKind.QUALIFICATION_UPDATE}
    quals = {
        lead_id: QualState(version)
        for lead_id, version in _in(
            session,
            lambda member: select(m.Qualification.lead_id, m.Qualification.version).where(
                member(m.Qualification.lead_id)
            ),
            wanted,
        )
    }
    q = table_of(m.QualificationField)
    cols = (
        q.c.lead_id, q.c.dimension, q.c.value, q.c.verbatim, q.c.confidence, q.c.recorded_by,
        q.c.recorded_at, q.c.version, q.c.mutation_id, q.c.client_id,
    )  # fmt: skip
    for lead_id, *values in _in(
        session, lambda member: select(*cols).where(member(q.c.lead_id)), list(quals)
    ):
        state = FieldState(*values)
        quals[lead_id].fields[state.dimension] = state
    return quals


__all__ = [
    "APPEND_MODELS",
    "BatchRows",
    "FieldState",
    "FollowUpState",
    "LeadRow",
    "QualState",
    "Record",
    "load",
]
