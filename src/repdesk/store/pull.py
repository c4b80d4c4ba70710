"""Applying the hub's changes: pull pages (version-gated upserts), removes, full resync, bulk."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from itertools import groupby
from typing import Any, TypeVar, cast

from sqlalchemy import Connection, Table, delete, func, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from repdesk.domain.changes import Changes
from repdesk.domain.feedback import (
    CallNote,
    CollateralUse,
    Disposition,
    Objection,
    ObjectionCategory,
)
from repdesk.domain.followups import FollowUp
from repdesk.domain.ids import utcnow
from repdesk.domain.leads import Campaign, Collateral, Lead, NurtureEvent
from repdesk.domain.outbox import MutationKind, OutboxState
from repdesk.domain.qualification import BANT_ORDER, Bant, BantDimension, Rubric
from repdesk.store import fts
from repdesk.store.api import (
    EventRow,
    PulledLead,
    RemoteChange,
    RemoteEvents,
    RemoteLeads,
    RemoteRemove,
    RemoteUpsert,
)
from repdesk.store.bulk import (
    BULK_THRESHOLD,
    FTS_KEPT,
    begin_bulk,
    keep_fts,
    max_pk,
    upsert_rows,
    upsert_tuples,
)
from repdesk.store.convert import (
    EVENT_COLUMNS,
    LEAD_COLUMNS,
    answer_to_json,
    campaign_values,
    collateral_values,
    event_db_rows,
    event_row,
    event_values,
    lead_db_rows,
    lead_row,
    lead_values,
    parse_iso,
    rubric_to_json,
    to_db,
)
from repdesk.store.convert_feedback import (
    disposition_values,
    followup_values,
    note_values,
    objection_values,
    use_values,
)
from repdesk.store.derived import RUBRIC_ID, recompute_last_touch, recompute_readiness
from repdesk.store.models import (
    BANT,
    BANT_HISTORY,
    CAMPAIGNS,
    CATEGORIES,
    COLLATERAL,
    DISPOSITIONS,
    EVENTS,
    FOLLOWUPS,
    LEADS,
    NOTES,
    OBJECTIONS,
    OUTBOX,
    RUBRIC,
    SYNC,
    TOMBSTONES,
    USES,
)
from repdesk.store.resync import drop_lead_data

log = logging.getLogger(__name__)

_CHUNK = 500
_UNSENT = OUTBOX.c.state != OutboxState.APPLIED.value


def _category_values(c: ObjectionCategory) -> dict[str, Any]:
    return {"code": c.code, "label": c.label, "description": c.description}


def _rubric_values(r: Rubric) -> dict[str, Any]:
    return {"id": RUBRIC_ID, "data": rubric_to_json(r)}


# entity -> (table, key column, obj -> column values, FTS index or None)
_Spec = tuple[Table, str, Callable[[Any], dict[str, Any]], fts.FtsIndex | None]
_SPECS: dict[str, _Spec] = {
    "lead": (LEADS, "id", lead_values, fts.LEADS_FTS),
    "nurture_event": (EVENTS, "id", event_values, fts.EVENTS_FTS),  # upserts: _upsert_events
    "campaign": (CAMPAIGNS, "id", campaign_values, None),
    "collateral": (COLLATERAL, "id", collateral_values, None),
    "rubric": (RUBRIC, "id", _rubric_values, None),
    "objection_category": (CATEGORIES, "code", _category_values, None),
    "call_note": (NOTES, "id", note_values, fts.NOTES_FTS),
    "objection": (OBJECTIONS, "id", objection_values, None),
    "disposition": (DISPOSITIONS, "id", disposition_values, None),
    "collateral_use": (USES, "id", use_values, None),
    "followup": (FOLLOWUPS, "id", followup_values, None),
}
_EXPECTED: dict[str, type] = {
    "lead": Lead,
    "nurture_event": NurtureEvent,
    "campaign": Campaign,
    "collateral": Collateral,
    "rubric": Rubric,
    "objection_category": ObjectionCategory,
    "call_note": CallNote,
    "objection": Objection,
    "disposition": Disposition,
    "collateral_use": CollateralUse,
    "followup": FollowUp,
    "qualification": Bant,
}
_LEAD_CHILDREN = (EVENTS, NOTES, OBJECTIONS, DISPOSITIONS, USES)


def _tombstoned(conn: Connection, entity: str, ids: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    if (
        len(ids) > _CHUNK
        and not conn.execute(
            select(TOMBSTONES.c.id).where(TOMBSTONES.c.entity == entity).limit(1)
        ).first()
    ):
        return found  # nothing of this kind was ever removed (a first sync): skip the lookups
    for start in range(0, len(ids), _CHUNK):
        rows = conn.execute(
            select(TOMBSTONES.c.id, TOMBSTONES.c.version)
            .where(TOMBSTONES.c.entity == entity)
            .where(TOMBSTONES.c.id.in_(ids[start : start + _CHUNK]))
        )
        found.update({r.id: r.version for r in rows})
    return found


class _Page:
    """What a page touched, to finish derived columns and say what changed."""

    def __init__(self, live_fts: bool) -> None:
        self.live_fts = live_fts
        self.leads: set[str] = set()
        self.touch: set[str] = set()
        self.judge: set[str] = set()
        self.rubric = False
        self.changes = Changes()
        self.fts_in_step = True
        """No lead or event of a bulk page was updated or removed (`bulk.keep_fts`)."""

    def add(self, **flags: Any) -> None:
        self.changes = self.changes | Changes(**flags)


_Upserts = list[RemoteUpsert | RemoteEvents | RemoteLeads]


def _upsert_run(conn: Connection, entity: str, run: _Upserts, page: _Page) -> None:
    if entity == "nurture_event":
        _upsert_events(conn, _rows_of(run, RemoteEvents, NurtureEvent, event_row), page)
        return
    if entity == "lead":
        _upsert_leads(conn, _rows_of(run, RemoteLeads, Lead, lead_row), page)
        return
    upserts = [c for c in run if isinstance(c, RemoteUpsert)]  # rows: events and leads only
    if entity == "qualification":
        for change in upserts:
            _upsert_qualification(conn, change, page)
        return
    spec = _SPECS.get(entity)
    if spec is None:
        log.info("skipping %d changes of unknown entity %r", len(run), entity)
        return
    table, key, values, index = spec
    stones = _tombstoned(conn, entity, [c.id for c in upserts])
    # The rep's own unsent change to a follow-up is newer than anything the hub has sent.
    mine = _unsent_followups(conn, [c.id for c in upserts]) if entity == "followup" else set()
    rows = []
    for change in upserts:
        if not isinstance(change.obj, _EXPECTED[entity]):
            log.warning("pull: %s %s carries a %s; skipped", entity, change.id, type(change.obj))
            continue
        if stones.get(change.id, -1) > change.version or change.id in mine:
            continue
        row = values(change.obj)
        row["version"] = change.version
        rows.append(row)
    if not rows:
        return
    ids = [r[key] for r in rows]
    if index is not None and page.live_fts:
        fts.forget(conn, index, fts.pks_where(conn, index, "id", ids))
    keep: tuple[str, ...] = ()
    if entity == "objection_category":
        # Marketing's order is the order categories first arrived in; updates keep their place.
        last = conn.execute(select(func.coalesce(func.max(CATEGORIES.c.position), 0))).scalar_one()
        for n, row in enumerate(rows, start=1):
            row["position"] = int(last) + n
        keep = ("position",)
    # A lead-scoped row may arrive under another lead than before: the lead it leaves must
    # have its derived columns (last touch, next step) worked out again too.
    # (Bulk pages skip it: finish_bulk works out every lead's derived columns.)
    moved = "lead_id" in rows[0] and page.live_fts
    previous = _current_leads(conn, table, key, ids) if moved else set()
    upsert_rows(conn, table, key, rows, keep)
    if index is not None and page.live_fts:
        fts.index_rows(conn, index, fts.pks_where(conn, index, "id", ids))
    lead_ids = ({r["lead_id"] for r in rows} | previous) if "lead_id" in rows[0] else set(ids)
    if entity == "lead":
        page.judge.update(ids)
        page.touch.update(ids)
        page.add(leads=True, lead_ids=frozenset(ids))
    elif entity in ("nurture_event", "call_note", "objection", "disposition", "collateral_use"):
        page.touch.update(lead_ids)
        if entity in ("objection", "disposition"):
            page.judge.update(lead_ids)  # the derived next step depends on them
        page.add(leads=True, lead_ids=frozenset(lead_ids), timeline=True, feedback=True)
    elif entity == "followup":
        page.add(followups=True, leads=True, lead_ids=frozenset(lead_ids))
    elif entity == "rubric":
        page.rubric = True
        page.add(reference=True, leads=True)
    elif entity == "collateral":
        page.add(collateral=True)
    elif entity == "objection_category":
        page.rubric = True  # a label in the derived next steps may have changed
        page.add(reference=True, leads=True)
    else:
        page.add(reference=True)


_Row = TypeVar("_Row", EventRow, PulledLead)


def _rows_of(
    run: _Upserts,
    batch: type[RemoteEvents | RemoteLeads],
    kind: type[Any],
    to_row: Callable[[Any, int], _Row],
) -> list[_Row]:
    """A run's rows: those that came as rows (`batch`), and each upsert of a `kind` object
    made one (`to_row`); anything else is skipped with a log line."""
    rows: list[_Row] = []
    for change in run:
        if isinstance(change, batch):
            rows.extend(cast(Sequence[_Row], change.rows))
        elif isinstance(change, RemoteUpsert) and isinstance(change.obj, kind):
            rows.append(to_row(change.obj, change.version))
        else:
            log.warning(
                "pull: %s %s is not one; skipped", change.entity, getattr(change, "id", "?")
            )
    return rows


def _unburied(conn: Connection, entity: str, rows: list[_Row]) -> list[_Row]:
    """`rows` (id first, version second) less those a removal at a later version buried."""
    stones = _tombstoned(conn, entity, [r[0] for r in rows])
    return [r for r in rows if stones.get(r[0], -1) <= r[1]] if stones else rows


def _upsert_leads(conn: Connection, rows: list[PulledLead], page: _Page) -> None:
    """Leads as rows into one executemany (as `_upsert_events`)."""
    rows = _unburied(conn, "lead", rows)
    if not rows:
        return
    ids = [r[0] for r in rows]
    index = fts.LEADS_FTS
    if page.live_fts:
        fts.forget(conn, index, fts.pks_where(conn, index, "id", ids))
    _append_only(
        conn,
        LEADS,
        page,
        lambda: upsert_tuples(conn, LEADS, "id", LEAD_COLUMNS, lead_db_rows(rows)),
    )
    if page.live_fts:
        fts.index_rows(conn, index, fts.pks_where(conn, index, "id", ids))
    page.judge.update(ids)
    page.touch.update(ids)
    page.add(leads=True, lead_ids=frozenset(ids))


def _append_only(conn: Connection, table: Table, page: _Page, write: Callable[[], int]) -> None:
    """Run `write` (an upsert); on a bulk page, note whether it only appended rows (as many
    new pks as rows written), which keeps the full-text index in step (`bulk.keep_fts`)."""
    if page.live_fts or not page.fts_in_step:
        write()
        return
    before = max_pk(conn, table)
    if write() != max_pk(conn, table) - before:
        page.fts_in_step = False


def _upsert_events(conn: Connection, rows: list[EventRow], page: _Page) -> None:
    """Events as rows into one executemany (what `_upsert_run` does for other entities,
    without a domain object or a dict per event)."""
    rows = _unburied(conn, "nurture_event", rows)
    if not rows:
        return
    ids = [r[0] for r in rows]
    index = fts.EVENTS_FTS
    if page.live_fts:
        fts.forget(conn, index, fts.pks_where(conn, index, "id", ids))
    # An event may arrive under another lead than before: that lead's derived columns are
    # worked out again too. (Bulk pages skip it: finish_bulk works out every lead's.)
    previous = _current_leads(conn, EVENTS, "id", ids) if page.live_fts else set()
    _append_only(
        conn, EVENTS, page,
        lambda: upsert_tuples(conn, EVENTS, "id", EVENT_COLUMNS, event_db_rows(rows), group_by=2),
    )  # fmt: skip
    if page.live_fts:
        fts.index_rows(conn, index, fts.pks_where(conn, index, "id", ids))
    lead_ids = {r[2] for r in rows} | previous
    page.touch.update(lead_ids)
    page.add(leads=True, lead_ids=frozenset(lead_ids), timeline=True, feedback=True)


def _unsent_dims(conn: Connection, lead_id: str) -> set[str]:
    """BANT fields the rep changed that the hub has not accepted yet: pulls must not undo them."""
    payloads = conn.execute(
        select(OUTBOX.c.payload)
        .where(OUTBOX.c.lead_id == lead_id)
        .where(OUTBOX.c.kind == MutationKind.QUALIFICATION_UPDATE.value)
        .where(OUTBOX.c.state == OutboxState.PENDING.value)
    ).scalars()
    return {dim for p in payloads for dim in (p or {}).get("fields", {})}


def _unsent_followups(conn: Connection, ids: list[str]) -> set[str]:
    """Follow-ups with a change of the rep's the hub has not accepted yet."""
    found: set[str] = set()
    for start in range(0, len(ids), _CHUNK):
        found.update(
            conn.execute(
                select(OUTBOX.c.entity_id)
                .where(OUTBOX.c.kind == MutationKind.FOLLOWUP_SET.value)
                .where(OUTBOX.c.entity_id.in_(ids[start : start + _CHUNK]))
                .where(_UNSENT)
            ).scalars()
        )
    return found


def _current_leads(conn: Connection, table: Table, key: str, ids: list[str]) -> set[str]:
    """The leads the rows with these ids belong to now (before an upsert moves them)."""
    found: set[str] = set()
    for start in range(0, len(ids), _CHUNK):
        rows = conn.execute(
            select(table.c.lead_id).where(table.c[key].in_(ids[start : start + _CHUNK]))
        )
        found.update(r.lead_id for r in rows)
    return found


def _upsert_qualification(conn: Connection, change: RemoteUpsert, page: _Page) -> None:
    bant = change.obj
    if not isinstance(bant, Bant):
        return
    lead_id = bant.lead_id or change.id
    stones = _tombstoned(conn, "qualification", [change.id])
    if stones.get(change.id, -1) > change.version:
        return
    current = conn.execute(select(BANT).where(BANT.c.lead_id == lead_id)).first()
    if current is not None and current.version > change.version:
        return
    keep = _unsent_dims(conn, lead_id)
    values: dict[str, Any] = {
        "version": change.version,
        "field_versions": dict(change.field_versions),
    }
    history = []
    for dim in BANT_ORDER:
        if dim.value in keep:
            continue
        incoming = answer_to_json(bant.get(dim))
        values[dim.value] = incoming
        old = getattr(current, dim.value) if current is not None else None
        if _answer_key(old) != _answer_key(incoming):
            history.append(_history_row(lead_id, dim, incoming))
    if current is None:
        conn.execute(sqlite_insert(BANT).values(lead_id=lead_id, **values))
    else:
        conn.execute(update(BANT).where(BANT.c.lead_id == lead_id).values(**values))
    if history:
        conn.execute(BANT_HISTORY.insert(), history)
    page.judge.add(lead_id)
    page.add(leads=True, lead_ids=frozenset({lead_id}), qualification=True, timeline=True)


def _answer_key(a: dict[str, Any] | None) -> tuple[Any, ...] | None:
    return None if not a else (a.get("value"), a.get("verbatim"), a.get("confidence"))


def _history_row(lead_id: str, dim: BantDimension, a: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "lead_id": lead_id,
        "dimension": dim.value,
        "value": (a or {}).get("value", ""),
        "verbatim": (a or {}).get("verbatim", ""),
        "confidence": (a or {}).get("confidence", 2),
        "recorded_by": (a or {}).get("recorded_by", ""),
        "recorded_at": to_db(parse_iso((a or {}).get("recorded_at")) or utcnow()),
        "mutation_id": None,
        "source": "hub",
    }


# --- removes ------------------------------------------------------------------------------


def _remove_run(conn: Connection, entity: str, run: list[RemoteRemove], page: _Page) -> None:
    if entity == "lead":
        _drop_leads(conn, run, page)
        return
    for change in run:
        _remember_remove(conn, entity, change.id, change.version)
        if entity == "qualification":
            conn.execute(
                delete(BANT)
                .where(BANT.c.lead_id == change.id)
                .where(BANT.c.version <= change.version)
            )
            page.judge.add(change.id)
            page.add(leads=True, lead_ids=frozenset({change.id}), qualification=True)
            continue
        spec = _SPECS.get(entity)
        if spec is None:
            continue
        table, key, _values, index = spec
        target = table.c[key] == (RUBRIC_ID if entity == "rubric" else change.id)
        victim = conn.execute(select(table).where(target)).first()
        if victim is None or victim.version > change.version:
            continue
        if index is not None and page.live_fts:
            fts.forget(conn, index, [victim.pk])
        conn.execute(delete(table).where(target))
        lead_id = getattr(victim, "lead_id", None)
        if entity == "followup":
            page.add(followups=True, leads=True, lead_ids=frozenset({lead_id}))
            continue
        if lead_id:
            page.touch.add(lead_id)
            if entity in ("objection", "disposition"):
                page.judge.add(lead_id)
            page.add(leads=True, lead_ids=frozenset({lead_id}), timeline=True, feedback=True)
        elif entity == "rubric":
            page.rubric = True
            page.add(reference=True, leads=True)
        else:
            page.add(reference=True, collateral=entity == "collateral")


def _remember_remove(conn: Connection, entity: str, entity_id: str, version: int) -> None:
    stmt = sqlite_insert(TOMBSTONES).values(entity=entity, id=entity_id, version=version)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=[TOMBSTONES.c.entity, TOMBSTONES.c.id],
            set_={"version": func.max(TOMBSTONES.c.version, stmt.excluded.version)},
        )
    )


def _drop_leads(conn: Connection, run: list[RemoteRemove], page: _Page) -> None:
    """Drop leads reassigned away (a territory change can remove thousands at once)."""
    for change in run:
        _remember_remove(conn, "lead", change.id, change.version)
    wanted: dict[str, int] = {}
    for change in run:  # the newest remove of a lead decides, as if applied one by one
        wanted[change.id] = max(wanted.get(change.id, -1), change.version)
    stored: dict[str, int] = {}
    ids = list(wanted)
    for start in range(0, len(ids), _CHUNK):
        rows = conn.execute(
            select(LEADS.c.id, LEADS.c.version).where(LEADS.c.id.in_(ids[start : start + _CHUNK]))
        )
        stored.update({r.id: r.version for r in rows})
    # A remove older than the stored row (reassigned back since) is ignored.
    doomed = [i for i, v in wanted.items() if stored.get(i, -1) <= v]
    for start in range(0, len(doomed), _CHUNK):
        drop_lead_data(conn, doomed[start : start + _CHUNK], page.live_fts)
    gone = frozenset(i for i in doomed if i in stored)
    if gone:
        page.add(leads=True, lead_ids=gone, timeline=True)


# --- pages, resync, bulk ---------------------------------------------------------------------


def apply_page(conn: Connection, changes: Sequence[RemoteChange], cursor: str) -> Changes:
    """Apply one page and store its cursor in the caller's single transaction."""
    stale = bool(conn.execute(select(SYNC.c.fts_stale)).scalar_one())
    size = sum(len(c.rows) if isinstance(c, (RemoteEvents, RemoteLeads)) else 1 for c in changes)
    big = stale or _rebuild_pays(conn, size)
    page = _Page(live_fts=not (stale or big))
    if big:
        # Bulk pages (a first sync, a full resync): no WAL checkpoint after each commit,
        # which rewrote the growing events index every few pages (~20% of a first sync);
        # finish_sync checkpoints once and turns it back on (see Store.finish_sync).
        conn.exec_driver_sql("PRAGMA wal_autocheckpoint=0")
        if not stale:
            begin_bulk(conn)
    # Upserts between two removes go through one executemany per entity (the hub
    # interleaves a lead with its events, which would otherwise make thousands of tiny
    # runs); upserts of different entities never depend on each other, and version-gated
    # upserts of one id give the same result in any order. Removes split the page, so an
    # upsert then a remove of the same id still ends removed.
    buckets: dict[str, _Upserts] = {}
    for is_upsert, group in groupby(changes, key=lambda c: not isinstance(c, RemoteRemove)):
        if is_upsert:
            for change in group:
                buckets.setdefault(change.entity, []).append(change)  # type: ignore[arg-type]
            continue
        _flush_upserts(conn, buckets, page)
        for entity, run in groupby(group, key=lambda c: c.entity):
            if entity in ("lead", "nurture_event"):
                page.fts_in_step = False  # a removed row stays in the index until rebuilt
            _remove_run(conn, entity, list(run), page)  # type: ignore[arg-type]
    _flush_upserts(conn, buckets, page)
    if big:
        keep_fts(conn, page.fts_in_step)
    else:
        conn.info.pop(FTS_KEPT, None)  # no load in progress
    if page.live_fts:  # else finish_bulk derives every lead's columns once, at the end
        _finish_derived(conn, page)
    conn.execute(update(SYNC).values(cursor=cursor, fts_stale=big))
    return page.changes | Changes(session=True)


def _flush_upserts(conn: Connection, buckets: dict[str, _Upserts], page: _Page) -> None:
    for entity, run in buckets.items():
        _upsert_run(conn, entity, run, page)
    buckets.clear()


REBUILD_ADVANTAGE = 8
"""An FTS rebuild indexes rows about this many times faster than upkeep row by row."""


def _rebuild_pays(conn: Connection, size: int) -> bool:
    """Skip per-row FTS upkeep (and rebuild at finish_sync) only when that is cheaper.

    Always during a first sync or a full resync (no cursor yet); otherwise only for a page
    big next to what is already indexed: a 600-change page over a million indexed rows is
    kept in step row by row rather than paying a full rebuild.
    """
    if size <= BULK_THRESHOLD:
        return False
    state = conn.execute(select(SYNC.c.cursor, SYNC.c.full_resync_needed)).one()
    if state.cursor is None or state.full_resync_needed:
        return True
    # max(pk) is an O(log n) estimate of each table's size (count(*) would scan it).
    indexed = sum(
        int(conn.execute(select(func.coalesce(func.max(t.c.pk), 0))).scalar_one())
        for t in (LEADS, EVENTS, NOTES)
    )
    return size * REBUILD_ADVANTAGE > indexed


def _finish_derived(conn: Connection, page: _Page) -> None:
    if page.rubric:
        recompute_readiness(conn)
    elif page.judge:
        present = _existing_leads(conn, page.judge)
        recompute_readiness(conn, present)
    if page.touch:
        recompute_last_touch(conn, sorted(page.touch))


def _existing_leads(conn: Connection, ids: set[str]) -> list[str]:
    listed = sorted(ids)
    found: list[str] = []
    for start in range(0, len(listed), _CHUNK):
        found.extend(
            conn.execute(
                select(LEADS.c.id).where(LEADS.c.id.in_(listed[start : start + _CHUNK]))
            ).scalars()
        )
    return found
