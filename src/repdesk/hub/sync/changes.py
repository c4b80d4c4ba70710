"""The change log every hub writer must feed, so reps' devices pull what changed.

Rules for any code that writes synced rows (the API, importers, admin services):

1. Bump the row's `version` (`row.version += 1`; new rows start at 1) in the same
   transaction as the change.
2. Call one of the functions below in that same transaction, after the row exists
   (they flush the session):

   - marketing's shared data (campaign, collateral, rubric, objection_category), visible
     to every rep: ``touch_global(session, "campaign", campaign.id, campaign.version)``;
     withdrawn items: ``touch_global(..., op="remove")``.
   - a lead that changed (fields, score, stage...): ``touch_lead(session, lead)``;
   - a row that belongs to a lead (nurture_event, call_note, qualification, objection,
     disposition, collateral_use, followup): ``touch_lead_item(session, "nurture_event", ev.id,
     lead, ev.version)`` (the qualification's id is the lead id);
   - assigning / reassigning / un-assigning a lead: ``reassign_lead(session, lead,
     new_rep_id_or_None)`` (never set `owner_rep_id` by hand): the old owner gets
     `remove` rows for the lead and everything under it, the new owner `upsert` rows;
     many leads at once: ``reassign_leads(session, leads, new_rep_id_or_None)``;
   - many rows at once (imports, seeding): ``touch_many(session, [Touch(...), ...])``,
     one bulk delete + insert instead of a flush per row, same result as `touch` in order;
   - deleting a lead: ``delete_lead(session, lead)`` (soft delete + removes).

The log keeps only the latest row per (entity, entity_id, audience); each write gets a
new, larger `seq`, so a pull sees it exactly once more. `audience` is a rep id or `ALL`.

Why a pull never skips a change, without serialising writers:

- SQLite has one writer per file, so seqs commit in the order they are drawn; pulls read
  `seq > cursor` (every row's `xid` is 0).
- PostgreSQL writers run in parallel, so seq 11 may commit before seq 10. Each row records
  its writing transaction's id (`xid`, the column's default `pg_current_xact_id()`,
  migration 0009) and pulls read in (xid, seq) order, only rows whose xid is below the
  **horizon** `pg_snapshot_xmin(pg_current_snapshot())`: every transaction below it has
  ended, and every transaction that can still write has an xid at or above it, so
  whatever commits later sorts after any cursor already handed out
  (`repdesk.hub.sync.pull`). A transaction held open holds the horizon back: pulls then
  answer with what lies below it and deliver the rest once it ends (late, never lost).
- A key written again is upserted in place (`INSERT ... ON CONFLICT DO UPDATE` with a new
  seq and the writer's xid): two transactions touching one key take turns on its row
  lock instead of one failing on the unique key after the other's delete + insert.

Write inside `Database.write()` (or `write(rep_id=...)`): its locks protect
read-then-write logic (versions, owners), see `repdesk.hub.db.engine`. A transaction
opened some other way gets the exclusive writers lock at its first touch; take it earlier
with `repdesk.hub.db.engine.lock_writers(session)` if you read-then-write synced rows.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, TypeVar

from sqlalchemy import delete, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from repdesk.domain.ids import utcnow
from repdesk.hub.db.base import table_of
from repdesk.hub.db.engine import lock_writers
from repdesk.hub.db.models import (
    CallNote,
    ChangeLog,
    CollateralUseRow,
    DispositionRow,
    FollowUpRow,
    Lead,
    NurtureEvent,
    ObjectionRow,
    Qualification,
)

log = logging.getLogger(__name__)

ALL = "*"
"""Audience of rows every rep sees (campaigns, collateral, rubric, taxonomy)."""

Op = Literal["upsert", "remove"]

GLOBAL_ENTITIES = frozenset({"campaign", "collateral", "rubric", "objection_category"})
LEAD_ITEM_ENTITIES = frozenset(
    {
        "nurture_event",
        "call_note",
        "qualification",
        "objection",
        "disposition",
        "collateral_use",
        "followup",
    }
)


def touch(
    session: Session,
    entity: str,
    entity_id: str,
    audience: str,
    *,
    op: Op = "upsert",
    version: int = 0,
    lead_id: str | None = None,
) -> int:
    """Record that `entity_id` changed for `audience` (a rep id or ALL); returns its seq
    (0 inside `deferred_touches`, where the row is written when the block ends)."""
    pending: list[Touch] | None = session.info.get(_DEFERRED)
    if pending is not None:
        pending.append(Touch(entity, entity_id, audience, op, version, lead_id))
        return 0
    lock_writers(session)
    session.flush()
    if _postgres(session):
        seq = session.scalar(
            _pg_upsert().returning(ChangeLog.seq),
            _row_values(Touch(entity, entity_id, audience, op, version, lead_id), utcnow()),
        )
        return int(seq or 0)
    session.execute(
        delete(ChangeLog).where(
            ChangeLog.entity == entity,
            ChangeLog.entity_id == entity_id,
            ChangeLog.audience == audience,
        )
    )
    row = ChangeLog(
        entity=entity,
        entity_id=entity_id,
        op=op,
        audience=audience,
        version=version,
        lead_id=lead_id,
    )
    session.add(row)
    session.flush()
    return row.seq


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _pg_upsert() -> Any:
    """INSERT a change-log row, or give the key's existing row a new seq, op, version and
    this transaction's xid (PostgreSQL; `excluded.seq` is the default's fresh number)."""
    stmt = pg_insert(ChangeLog)
    fresh = stmt.excluded
    return stmt.on_conflict_do_update(
        constraint="uq_change_log_key",
        set_={
            "seq": fresh.seq,
            "op": fresh.op,
            "version": fresh.version,
            "lead_id": fresh.lead_id,
            "at": fresh.at,
            "xid": fresh.xid,
        },
    )


def _row_values(t: Touch, now: datetime) -> dict[str, Any]:
    return {
        "entity": t.entity,
        "entity_id": t.entity_id,
        "op": t.op,
        "audience": t.audience,
        "version": t.version,
        "lead_id": t.lead_id,
        "at": now,
    }


@dataclass(frozen=True, slots=True)
class Touch:
    """One change-log entry for `touch_many` (the arguments of `touch`)."""

    entity: str
    entity_id: str
    audience: str
    op: Op = "upsert"
    version: int = 0
    lead_id: str | None = None


_CHUNK = 500
"""Ids per IN (...) list: far below SQLite's and PostgreSQL's parameter limits."""
_T = TypeVar("_T")


def chunks(items: Sequence[_T], size: int = _CHUNK) -> Iterator[Sequence[_T]]:
    """`items` in slices small enough for one IN (...) list on both back-ends."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


_DEFERRED = "repdesk_deferred_touches"


@contextmanager
def deferred_touches(session: Session) -> Iterator[list[Touch]]:
    """Collect every `touch` in the block and write them with one `touch_many` at its end
    (same transaction, same order, same result): a push batch writes its change log in a
    few statements instead of two per mutation. The caller may drop entries from the
    yielded list (a mutation rolled back to its savepoint drops its own)."""
    if session.info.get(_DEFERRED) is not None:
        raise RuntimeError("deferred_touches blocks do not nest")
    pending: list[Touch] = []
    session.info[_DEFERRED] = pending
    try:
        yield pending
    finally:
        session.info.pop(_DEFERRED, None)
    touch_many(session, pending)


def touch_many(session: Session, rows: Iterable[Touch]) -> int:
    """`touch` for each row, in order (later rows get larger seqs), in a few statements.

    A key (entity, entity_id, audience) given twice keeps its last entry. Returns how
    many change-log rows were written (or queued, inside `deferred_touches`: there the rows
    join the block's queue, so a bulk touch can never be overtaken by an earlier deferred
    one written at the block's end).
    """
    pending: list[Touch] | None = session.info.get(_DEFERRED)
    if pending is not None:
        queued = list(rows)
        pending.extend(queued)
        return len(queued)
    latest: dict[tuple[str, str, str], Touch] = {}
    for row in rows:
        key = (row.entity, row.entity_id, row.audience)
        latest.pop(key, None)  # re-inserted at the end: its place is its LAST touch
        latest[key] = row
    if not latest:
        return 0
    lock_writers(session)
    session.flush()
    now = utcnow()
    if _postgres(session):
        # One upsert per row (executemany, in order: later rows get larger seqs).
        upsert = _pg_upsert()
        pg_values = [_row_values(t, now) for t in latest.values()]
        for part in chunks(pg_values, 5000):
            session.execute(upsert, list(part))
        return len(pg_values)
    # Core statements on the table (no ORM bulk path: no per-row ORM bookkeeping, no
    # session synchronisation for the delete; the session was flushed above).
    connection, log = session.connection(), table_of(ChangeLog)
    by_group: dict[tuple[str, str], list[str]] = {}
    for entity, entity_id, audience in latest:
        by_group.setdefault((entity, audience), []).append(entity_id)
    for (entity, audience), ids in by_group.items():
        for chunk in chunks(ids):
            connection.execute(
                delete(log).where(
                    log.c.entity == entity, log.c.audience == audience, log.c.entity_id.in_(chunk)
                )
            )
    values = [_row_values(t, now) for t in latest.values()]
    # Plain executemany (no RETURNING): rows are inserted one after another, in order,
    # so their seqs follow the order of `rows` on both back-ends.
    for part in chunks(values, 5000):
        connection.execute(insert(log), list(part))
    return len(values)


def touch_global(
    session: Session, entity: str, entity_id: str, version: int, *, op: Op = "upsert"
) -> int:
    if entity not in GLOBAL_ENTITIES:
        raise ValueError(f"{entity} is not shared with every rep")
    return touch(session, entity, entity_id, ALL, op=op, version=version)


def touch_lead(session: Session, lead: Lead) -> None:
    """The lead's own fields changed: its owner (if any) pulls it again."""
    if lead.owner_rep_id is None:
        return
    op: Op = "remove" if lead.deleted else "upsert"
    touch(session, "lead", lead.id, lead.owner_rep_id, op=op, version=lead.version, lead_id=lead.id)


def touch_lead_item(
    session: Session, entity: str, entity_id: str, lead: Lead, version: int, *, op: Op = "upsert"
) -> None:
    """A row under `lead` changed; only the lead's current owner sees it."""
    if entity not in LEAD_ITEM_ENTITIES:
        raise ValueError(f"{entity} does not belong to a lead")
    if lead.owner_rep_id is None or lead.deleted:
        return
    touch(session, entity, entity_id, lead.owner_rep_id, op=op, version=version, lead_id=lead.id)


Item = tuple[str, str, int]
"""(entity, id, version) of a row under a lead."""
_ITEM_MODELS: tuple[tuple[str, type[NurtureEvent | CallNote | ObjectionRow | DispositionRow |
                                     CollateralUseRow | FollowUpRow]], ...] = (
    ("nurture_event", NurtureEvent),
    ("call_note", CallNote),
    ("objection", ObjectionRow),
    ("disposition", DispositionRow),
    ("collateral_use", CollateralUseRow),
    ("followup", FollowUpRow),
)  # fmt: skip


def lead_items(session: Session, lead_id: str) -> list[Item]:
    """(entity, id, version) of everything under a lead, oldest kinds first."""
    return items_of_leads(session, [lead_id])[lead_id]


def items_of_leads(session: Session, lead_ids: Sequence[str]) -> dict[str, list[Item]]:
    """`lead_items` for many leads in one query per kind (per chunk of leads)."""
    out: dict[str, list[Item]] = {lead_id: [] for lead_id in lead_ids}
    for chunk in chunks(list(out)):
        for entity, model in _ITEM_MODELS:
            rows = session.execute(
                select(model.lead_id, model.id, model.version)
                .where(model.lead_id.in_(chunk))
                .order_by(model.lead_id, model.id)
            )
            for lead_id, row_id, version in rows:
                out[lead_id].append((entity, row_id, version))
        quals = session.execute(
            select(Qualification.lead_id, Qualification.version).where(
                Qualification.lead_id.in_(chunk)
            )
        )
        for lead_id, version in quals:
            out[lead_id].append(("qualification", lead_id, version))
    return out


def _lead_touches(lead: Lead, items: list[Item], audience: str, op: Op) -> list[Touch]:
    this = Touch("lead", lead.id, audience, op, lead.version, lead.id)
    under = [Touch(entity, item_id, audience, op, v, lead.id) for entity, item_id, v in items]
    # Upserts: the lead first, so a client that applies in order has it before its
    # children; removes: the children first.
    return [this, *under] if op == "upsert" else [*under, this]


def reassign_leads(session: Session, leads: Iterable[Lead], new_owner_id: str | None) -> int:
    """Give every lead to `new_owner_id` (None: nobody) with a handful of statements.

    The change log ends up exactly as after `reassign_lead` on each lead in turn.
    Returns how many leads changed hands.
    """
    moved: list[tuple[Lead, str | None]] = []
    now = utcnow()
    for lead in leads:
        if lead.owner_rep_id != new_owner_id:
            moved.append((lead, lead.owner_rep_id))
            lead.owner_rep_id = new_owner_id
            lead.assigned_at = None if new_owner_id is None else now
            lead.version += 1
    if not moved:
        return 0
    lock_writers(session)
    session.flush()
    items = items_of_leads(session, [lead.id for lead, _ in moved])
    touches: list[Touch] = []
    for lead, old in moved:
        if old is not None:
            touches.extend(_lead_touches(lead, items[lead.id], old, "remove"))
        if new_owner_id is not None and not lead.deleted:
            touches.extend(_lead_touches(lead, items[lead.id], new_owner_id, "upsert"))
    touch_many(session, touches)
    log.info("%d leads reassigned to %s", len(moved), new_owner_id)
    return len(moved)


def reassign_lead(session: Session, lead: Lead, new_owner_id: str | None) -> bool:
    """Give `lead` to `new_owner_id` (None: nobody). Returns False when nothing changed."""
    return reassign_leads(session, [lead], new_owner_id) == 1


def delete_lead(session: Session, lead: Lead) -> None:
    """Soft-delete `lead`: its owner's devices drop it; the reps' writes stay for reports."""
    if lead.deleted:
        return
    lead.deleted = True
    lead.version += 1
    session.flush()
    if lead.owner_rep_id is not None:
        items = items_of_leads(session, [lead.id])[lead.id]
        touch_many(session, _lead_touches(lead, items, lead.owner_rep_id, "remove"))


__all__ = [
    "ALL",
    "GLOBAL_ENTITIES",
    "LEAD_ITEM_ENTITIES",
    "Touch",
    "deferred_touches",
    "delete_lead",
    "items_of_leads",
    "lead_items",
    "reassign_lead",
    "reassign_leads",
    "touch",
    "touch_global",
    "touch_lead",
    "touch_lead_item",
    "touch_many",
]
