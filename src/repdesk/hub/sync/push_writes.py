"""What a push batch writes, gathered while its mutations are judged and written at the
end in a few statements: one executemany per table, the change log with `touch_many`.

Database triggers keep `lead_facts` current on every row written here (hub migration
0007), exactly as for one row at a time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm import Session

from repdesk.domain.ids import utcnow
from repdesk.domain.outbox import MutationKind
from repdesk.hub.db import models as m
from repdesk.hub.db.base import table_of
from repdesk.hub.sync import changes
from repdesk.hub.sync.push_rows import APPEND_MODELS, BatchRows

_ROWS = 5000
"""Rows per executemany: bounded memory for the drivers' parameter buffers."""


@dataclass(slots=True)
class PushWrites:
    """New rows per appended kind, the idempotency records and the change-log entries,
    in the batch's order; changed leads, follow-ups and BANT state are in `BatchRows`
    (their `new` / `dirty` flags)."""

    appends: dict[MutationKind, list[dict[str, Any]]] = field(
        default_factory=lambda: {kind: [] for kind in APPEND_MODELS}
    )
    records: list[dict[str, Any]] = field(default_factory=list)
    touches: list[changes.Touch] = field(default_factory=list)


def write(session: Session, rows: BatchRows, writes: PushWrites) -> None:
    """Every write of the batch, parents before children."""
    now = utcnow()
    for kind, model in APPEND_MODELS.items():
        _insert(session, model, writes.appends[kind])
    leads = [
        {
            "b_id": lead.id,
            "lead_status": lead.lead_status,
            "version": lead.version,
            "updated_at": now,
        }  # fmt: skip
        for lead in rows.leads.values()
        if lead.dirty
    ]
    _update(session, m.Lead, "id", leads)
    _followups(session, rows, now)
    _qualifications(session, rows)
    _insert(session, m.ProcessedMutation, writes.records)
    changes.touch_many(session, writes.touches)


def _insert(session: Session, model: type[m.Base], values: list[dict[str, Any]]) -> None:
    table = table_of(model)
    for start in range(0, len(values), _ROWS):
        session.execute(insert(table), values[start : start + _ROWS])


def _update(session: Session, model: type[m.Base], key: str, values: list[dict[str, Any]]) -> None:
    """UPDATE ... WHERE key = :b_<key> as one executemany (values carry `b_<key>`)."""
    if not values:
        return
    table = table_of(model)
    stmt = update(table).where(table.c[key] == bindparam(f"b_{key}"))
    for start in range(0, len(values), _ROWS):
        session.execute(stmt, values[start : start + _ROWS])


def _followups(session: Session, rows: BatchRows, now: Any) -> None:
    new, changed = [], []
    for f in rows.followups.values():
        values = {
            "lead_id": f.lead_id, "rep_id": f.rep_id, "mutation_id": f.mutation_id,
            "due_at": f.due_at, "reason": f.reason, "state": f.state,
            "last_action": f.last_action, "updated_at": f.updated_at, "version": f.version,
        }  # fmt: skip
        if f.new:
            new.append({"id": f.id, "created_at": f.created_at, **values})
        elif f.dirty:
            changed.append({"b_id": f.id, "received_at": now, **values})
    _insert(session, m.FollowUpRow, new)
    _update(session, m.FollowUpRow, "id", changed)


def _qualifications(session: Session, rows: BatchRows) -> None:
    new_quals = [
        {"lead_id": lead_id, "version": q.version} for lead_id, q in rows.quals.items() if q.new
    ]
    changed_quals = [
        {"b_lead_id": lead_id, "version": q.version}
        for lead_id, q in rows.quals.items()
        if q.dirty and not q.new
    ]
    _insert(session, m.Qualification, new_quals)
    _update(session, m.Qualification, "lead_id", changed_quals)
    new_fields, changed_fields = [], []
    for lead_id, q in rows.quals.items():
        for f in q.fields.values():
            if not (f.new or f.dirty):
                continue
            values = {
                "value": f.value, "verbatim": f.verbatim, "confidence": f.confidence,
                "recorded_by": f.recorded_by, "recorded_at": f.recorded_at,
                "version": f.version, "mutation_id": f.mutation_id, "client_id": f.client_id,
            }  # fmt: skip
            if f.new:
                new_fields.append({"lead_id": lead_id, "dimension": f.dimension, **values})
            else:
                changed_fields.append({"b_lead_id": lead_id, "b_dimension": f.dimension, **values})
    _insert(session, m.QualificationField, new_fields)
    if changed_fields:
        table = table_of(m.QualificationField)
        stmt = update(table).where(
            table.c.lead_id == bindparam("b_lead_id"),
            table.c.dimension == bindparam("b_dimension"),
        )
        session.execute(stmt, changed_fields)


__all__ = ["PushWrites", "write"]
