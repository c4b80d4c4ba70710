"""Read queries: the lead list (ids, then rows), a lead's detail, reference data, search."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Select,
    case,
    column,
    exists,
    func,
    or_,
    select,
    text,
)

from repdesk.domain.feedback import CallNote, CollateralUse, Disposition, Objection
from repdesk.domain.leads import Collateral, Lead, LifecycleStage, NurtureEvent
from repdesk.domain.outbox import OutboxState
from repdesk.domain.qualification import Bant, BantAnswer
from repdesk.store import fts
from repdesk.store.api import (
    AnswerChange,
    LeadPage,
    LeadQuery,
    LeadRow,
    LeadSort,
    SearchHit,
    SearchKind,
)
from repdesk.store.convert import (
    bant_from_row,
    collateral_from_row,
    event_from_row,
    from_db,
    history_from_row,
    lead_from_row,
)
from repdesk.store.convert_feedback import (
    disposition_from_row,
    note_from_row,
    objection_from_row,
    use_from_row,
)
from repdesk.store.models import (
    BANT,
    BANT_HISTORY,
    COLLATERAL,
    DISPOSITIONS,
    EVENTS,
    LEADS,
    NOTES,
    OBJECTIONS,
    OUTBOX,
    USES,
)

_CHUNK = 500
_UNSENT = OUTBOX.c.state != OutboxState.APPLIED.value

_STAGE_ORDER = case(
    {stage.value: n for n, stage in enumerate(LifecycleStage)},
    value=LEADS.c.lifecycle_stage,
    else_=len(LifecycleStage),
)
_SORT_COLUMNS: dict[LeadSort, ColumnElement[Any]] = {
    LeadSort.NAME: LEADS.c.name_key,
    LeadSort.COMPANY: LEADS.c.company,
    LeadSort.STAGE: _STAGE_ORDER,
    LeadSort.SCORE: LEADS.c.score,
    LeadSort.READY: LEADS.c.ready,
    LeadSort.LAST_TOUCH: LEADS.c.last_touch_at,
    LeadSort.NEXT_STEP: LEADS.c.next_action,
}


def lead(conn: Connection, lead_id: str) -> Lead | None:
    row = conn.execute(select(LEADS).where(LEADS.c.id == lead_id)).first()
    return None if row is None else lead_from_row(row)


def lead_fts_subquery(match: str) -> Any:
    return (
        text("SELECT rowid FROM leads_fts WHERE leads_fts MATCH :match")
        .bindparams(match=match)
        .columns(column("rowid", Integer))
    )


def lead_ids(conn: Connection, query: LeadQuery) -> list[str]:
    return fetch_column(conn, _sorted_ids(query))


def lead_page(conn: Connection, query: LeadQuery, limit: int) -> LeadPage:
    """The first `limit` ids of `lead_ids(query)` and how many there are in all: a walk
    of the sort index that stops after `limit` rows, plus a count (a broad search shows
    its first screenful without sorting every match first)."""
    match = fts.match_expression(query.search) if query.search else None
    matches = _fts_count(conn, match) if match is not None else 0
    # Many matches: walk the sort index and test each lead against the matches (`pk + 0`
    # keeps SQLite from looking every match up by rowid and sorting them all first).
    stmt = _sorted_ids(query, walk_sort_index=matches > _BROAD)
    ids = fetch_column(conn, stmt.limit(limit))
    if len(ids) < limit:
        return LeadPage(ids, len(ids))
    if (
        match is not None
        and replace(query, search="", sort=LeadSort.LAST_TOUCH, descending=True) == LeadQuery()
    ):
        return LeadPage(ids, matches)  # a search alone: every FTS match is one lead
    counted = select(func.count()).select_from(stmt.order_by(None).subquery())
    return LeadPage(ids, int(fetch_column(conn, counted)[0]))


_BROAD = 2000
"""Matches above which a page walks the sort index instead of sorting every match."""


def _fts_count(conn: Connection, match: str) -> int:
    counted = select(func.count()).select_from(lead_fts_subquery(match).subquery())
    return int(fetch_column(conn, counted)[0])


def _sorted_ids(query: LeadQuery, *, walk_sort_index: bool = False) -> Select[Any]:
    stmt = select(LEADS.c.id)
    match = fts.match_expression(query.search) if query.search else None
    if match is not None:
        pk = LEADS.c.pk + 0 if walk_sort_index else LEADS.c.pk
        stmt = stmt.where(pk.in_(lead_fts_subquery(match)))
    if query.ready is not None:
        stmt = stmt.where(LEADS.c.ready == query.ready)
    if query.stage is not None:
        stmt = stmt.where(LEADS.c.lifecycle_stage == query.stage.value)
    if query.campaign_id is not None:
        touched = select(EVENTS.c.lead_id).where(EVENTS.c.campaign_id == query.campaign_id)
        stmt = stmt.where(
            or_(LEADS.c.source_campaign_id == query.campaign_id, LEADS.c.id.in_(touched))
        )
    if query.has_unsent is not None:
        # The outbox is small next to the lead table: test membership in its lead ids.
        unsent = select(OUTBOX.c.lead_id).where(_UNSENT)
        stmt = stmt.where(LEADS.c.id.in_(unsent) if query.has_unsent else LEADS.c.id.not_in(unsent))
    key = _SORT_COLUMNS[query.sort]
    if query.descending:
        stmt = stmt.order_by(key.desc(), LEADS.c.id.desc())
    else:
        stmt = stmt.order_by(key.asc(), LEADS.c.id.asc())
    return stmt


def fetch_column(conn: Connection, stmt: Select[Any]) -> list[Any]:
    """First column of every row, read through the driver's cursor.

    For 100k ids SQLAlchemy's Row objects cost as much as the query; the statement is
    still built and compiled by Core, with its parameters in compiled order.
    """
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = [compiled.params[name] for name in compiled.positiontup or ()]
    cursor = conn.connection.driver_connection.execute(str(compiled), params)  # type: ignore[union-attr]
    try:
        return [row[0] for row in cursor.fetchall()]
    finally:
        cursor.close()


def unsent_counts(conn: Connection, lead_ids: Sequence[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for start in range(0, len(lead_ids), _CHUNK):
        chunk = list(lead_ids[start : start + _CHUNK])
        rows = conn.execute(
            select(OUTBOX.c.lead_id, func.count())
            .where(OUTBOX.c.lead_id.in_(chunk))
            .where(_UNSENT)
            .group_by(OUTBOX.c.lead_id)
        )
        counts.update({r[0]: int(r[1]) for r in rows})
    return counts


def lead_rows(conn: Connection, ids: Sequence[str]) -> list[LeadRow]:
    """Rows for the given ids, in the given order; unknown ids are skipped."""
    by_id: dict[str, LeadRow] = {}
    unsent = unsent_counts(conn, ids)
    cols = (
        LEADS.c.id,
        LEADS.c.first_name,
        LEADS.c.last_name,
        LEADS.c.email,
        LEADS.c.company,
        LEADS.c.title,
        LEADS.c.lifecycle_stage,
        LEADS.c.score,
        LEADS.c.ready,
        LEADS.c.missing,
        LEADS.c.last_touch_at,
        LEADS.c.next_action,
    )
    for start in range(0, len(ids), _CHUNK):
        chunk = list(ids[start : start + _CHUNK])
        for r in conn.execute(select(*cols).where(LEADS.c.id.in_(chunk))):
            try:
                stage = LifecycleStage(r.lifecycle_stage)
            except ValueError:
                stage = LifecycleStage.OTHER
            by_id[r.id] = LeadRow(
                id=r.id,
                name=" ".join(p for p in (r.first_name, r.last_name) if p) or r.email,
                company=r.company,
                title=r.title,
                stage=stage,
                score=r.score,
                ready=bool(r.ready),
                missing=r.missing,
                last_touch_at=from_db(r.last_touch_at),
                next_step=r.next_action,
                unsent=unsent.get(r.id, 0),
            )
    return [by_id[i] for i in ids if i in by_id]


def lead_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(LEADS)).scalar_one())


def events(conn: Connection, lead_id: str) -> list[NurtureEvent]:
    rows = conn.execute(
        select(EVENTS)
        .where(EVENTS.c.lead_id == lead_id)
        .order_by(EVENTS.c.occurred_at.desc(), EVENTS.c.id)
    )
    return [event_from_row(r) for r in rows]


def bant(conn: Connection, lead_id: str) -> Bant:
    row = conn.execute(select(BANT).where(BANT.c.lead_id == lead_id)).first()
    return bant_from_row(lead_id, row)


def bant_history(conn: Connection, lead_id: str) -> list[BantAnswer]:
    rows = conn.execute(
        select(BANT_HISTORY)
        .where(BANT_HISTORY.c.lead_id == lead_id)
        .order_by(BANT_HISTORY.c.recorded_at.desc(), BANT_HISTORY.c.pk.desc())
    )
    return [history_from_row(r) for r in rows]


def bant_changes(
    conn: Connection, mutation_ids: Sequence[str]
) -> dict[str, tuple[AnswerChange, ...]]:
    """For each BANT mutation: each dimension's value before its first edit and after its
    last (one mutation may hold several edits folded together)."""
    wanted = set(mutation_ids)
    if not wanted:
        return {}
    leads = select(BANT_HISTORY.c.lead_id).where(BANT_HISTORY.c.mutation_id.in_(wanted))
    rows = conn.execute(
        select(
            BANT_HISTORY.c.lead_id,
            BANT_HISTORY.c.dimension,
            BANT_HISTORY.c.value,
            BANT_HISTORY.c.mutation_id,
        )
        .where(BANT_HISTORY.c.lead_id.in_(leads.scalar_subquery()))
        .order_by(BANT_HISTORY.c.pk)
    ).all()
    last: dict[tuple[str, str], str] = {}
    found: dict[str, dict[str, list[str]]] = {}
    for lead_id, dimension, value, mutation_id in rows:
        key = (lead_id, dimension)
        if mutation_id in wanted:
            pair = found.setdefault(mutation_id, {}).setdefault(dimension, [last.get(key, "")])
            pair[1:] = [value]
        last[key] = value
    return {
        mutation_id: tuple(AnswerChange(dim, pair[0], pair[-1]) for dim, pair in dims.items())
        for mutation_id, dims in found.items()
    }


def notes(conn: Connection, lead_id: str) -> list[CallNote]:
    rows = conn.execute(
        select(NOTES).where(NOTES.c.lead_id == lead_id).order_by(NOTES.c.created_at.desc())
    )
    return [note_from_row(r) for r in rows]


def objections(conn: Connection, lead_id: str) -> list[Objection]:
    rows = conn.execute(
        select(OBJECTIONS)
        .where(OBJECTIONS.c.lead_id == lead_id)
        .order_by(OBJECTIONS.c.created_at.desc())
    )
    return [objection_from_row(r) for r in rows]


def disposition(conn: Connection, lead_id: str) -> Disposition | None:
    row = conn.execute(
        select(DISPOSITIONS)
        .where(DISPOSITIONS.c.lead_id == lead_id)
        .order_by(DISPOSITIONS.c.decided_at.desc())
        .limit(1)
    ).first()
    return None if row is None else disposition_from_row(row)


def collateral_uses(conn: Connection, lead_id: str) -> list[CollateralUse]:
    rows = conn.execute(
        select(USES).where(USES.c.lead_id == lead_id).order_by(USES.c.used_at.desc())
    )
    return [use_from_row(r) for r in rows]


def collateral(
    conn: Connection, search: str = "", campaign_id: str | None = None
) -> list[Collateral]:
    stmt = select(COLLATERAL).order_by(func.lower(COLLATERAL.c.title), COLLATERAL.c.id)
    if campaign_id is not None:
        stmt = stmt.where(COLLATERAL.c.campaign_id == campaign_id)
    items = [collateral_from_row(r) for r in conn.execute(stmt)]
    words = search.casefold().split()
    if words:
        # The catalogue is small (hundreds): match every word in the title or a tag.
        def haystack(c: Collateral) -> str:
            return " ".join((c.title, *c.tags)).casefold()

        items = [c for c in items if all(w in haystack(c) for w in words)]
    return items


def lead_campaign_ids(conn: Connection, lead_id: str) -> list[str]:
    source = select(LEADS.c.source_campaign_id).where(LEADS.c.id == lead_id)
    touched = select(EVENTS.c.campaign_id).where(EVENTS.c.lead_id == lead_id).distinct()
    found = {c for c in conn.execute(source).scalars() if c}
    found.update(c for c in conn.execute(touched).scalars() if c)
    return sorted(found)


def collateral_for_lead(conn: Connection, lead_id: str) -> list[Collateral]:
    """The collateral of the lead's campaigns, and every piece marketing tagged as the
    answer to one of the lead's open objections, whatever its campaign (marketing answers
    an objection category, not a campaign)."""
    campaigns = set(lead_campaign_ids(conn, lead_id))
    open_codes = {
        str(code).strip().casefold()
        for code in conn.execute(
            select(OBJECTIONS.c.category_code).where(
                OBJECTIONS.c.lead_id == lead_id, OBJECTIONS.c.resolved.is_(False)
            )
        ).scalars()
    }
    if not campaigns and not open_codes:
        return []
    rows = conn.execute(
        select(COLLATERAL).order_by(func.lower(COLLATERAL.c.title), COLLATERAL.c.id)
    )
    found = []
    for row in rows:
        tags = {str(t).strip().casefold() for t in (row.tags or [])}
        if row.campaign_id in campaigns or tags & open_codes:
            found.append(collateral_from_row(row))
    return found


def _ranked(conn: Connection, index: str, columns: str, match: str, limit: int) -> list[Any]:
    """bm25-ranked matches among the CANDIDATES most recently stored ones.

    Ranking every match of a very common prefix ("pri" over a million events) costs
    hundreds of ms; capping the candidates keeps search-as-you-type instant.
    """
    sql = (
        f"SELECT {columns}, hit.rank FROM ("
        f"  SELECT rowid AS rid, {_BM25[index]} AS rank FROM {index} WHERE {index} MATCH :match"
        f"  ORDER BY rowid DESC LIMIT :candidates"
        f") AS hit JOIN {_CONTENT[index]} AS t ON t.pk = hit.rid ORDER BY hit.rank LIMIT :limit"
    )
    params = {"match": match, "candidates": CANDIDATES, "limit": limit}
    return list(conn.execute(text(sql), params))


CANDIDATES = 2000
_BM25 = {
    "leads_fts": "bm25(leads_fts, 10.0, 10.0, 5.0, 3.0, 3.0)",
    "events_fts": "bm25(events_fts, 2.0, 1.0)",
    "notes_fts": "bm25(notes_fts)",
}
_CONTENT = {"leads_fts": "leads", "events_fts": "nurture_events", "notes_fts": "call_notes"}


def search(conn: Connection, user_text: str, limit: int = 50) -> list[SearchHit]:
    """bm25-ranked hits over leads, nurture events and notes (lower rank = better)."""
    match = fts.match_expression(user_text)
    if match is None or limit <= 0:
        return []
    words = fts.query_words(user_text)
    hits: list[SearchHit] = []
    cols = "t.id, t.first_name, t.last_name, t.email, t.company, t.title"
    for r in _ranked(conn, "leads_fts", cols, match, limit):
        name = " ".join(p for p in (r.first_name, r.last_name) if p) or r.email
        snippet = " · ".join(p for p in (r.title, r.company, r.email) if p)
        hits.append(SearchHit(SearchKind.LEAD, r.id, r.id, name, snippet, float(r.rank)))
    for r in _ranked(
        conn, "events_fts", "t.id, t.lead_id, t.type, t.asset, t.detail", match, limit
    ):
        title = r.asset or r.type.replace("_", " ").capitalize()
        snippet = fts.excerpt(f"{r.asset} — {r.detail}" if r.detail else r.asset, words)
        hits.append(SearchHit(SearchKind.EVENT, r.lead_id, r.id, title, snippet, float(r.rank)))
    for r in _ranked(conn, "notes_fts", "t.id, t.lead_id, t.body", match, limit):
        snippet = fts.excerpt(r.body, words)
        hits.append(
            SearchHit(SearchKind.NOTE, r.lead_id, r.id, "Call note", snippet, float(r.rank))
        )
    hits.sort(key=lambda h: h.rank)
    return hits[:limit]


def wanted_collateral(conn: Connection) -> list[Collateral]:
    """What the cache keeps: collateral of campaigns the rep's current leads came from or were
    nurtured by, plus marketing's general collateral (no campaign: battlecards, pricing,
    security overviews), which every rep may need on any call.

    Asked per collateral row (a few hundred at most), each an indexed EXISTS probe
    (`ix_leads_source_campaign`, `ix_events_campaign_lead`), so a sync with nothing new costs
    the same at 1k or 100k leads and 1M events: the union of every lead's and event's
    campaign it replaces scanned all of them (38 ms at 10k leads / 300k events)."""
    in_use = (
        exists().where(LEADS.c.source_campaign_id == COLLATERAL.c.campaign_id).correlate(COLLATERAL)
    ) | (exists().where(EVENTS.c.campaign_id == COLLATERAL.c.campaign_id).correlate(COLLATERAL))
    rows = conn.execute(
        select(COLLATERAL)
        .where(COLLATERAL.c.campaign_id.is_(None) | in_use)
        .order_by(COLLATERAL.c.title, COLLATERAL.c.id)
    )
    return [collateral_from_row(r) for r in rows]
