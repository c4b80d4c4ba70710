"""Dropping what the hub sent: a lead reassigned away, or everything for a full resync."""

from __future__ import annotations

from sqlalchemy import Connection, delete, select, update

from repdesk.domain.changes import Changes
from repdesk.domain.outbox import MutationKind, OutboxState
from repdesk.store import fts
from repdesk.store.models import (
    BANT,
    BANT_HISTORY,
    CAMPAIGNS,
    CATEGORIES,
    COLLATERAL,
    CONFLICTS,
    DISPOSITIONS,
    EVENTS,
    LEADS,
    NOTES,
    OBJECTIONS,
    OUTBOX,
    RUBRIC,
    SYNC,
    TOMBSTONES,
    USES,
)

_UNSENT = OUTBOX.c.state != OutboxState.APPLIED.value


def drop_lead_data(conn: Connection, lead_ids: list[str], live_fts: bool) -> None:
    unsent = select(OUTBOX.c.entity_id).where(_UNSENT)
    unsent_mutations = select(OUTBOX.c.id).where(_UNSENT)
    if live_fts:
        fts.forget(conn, fts.LEADS_FTS, fts.pks_where(conn, fts.LEADS_FTS, "id", lead_ids))
        fts.forget(conn, fts.EVENTS_FTS, fts.pks_where(conn, fts.EVENTS_FTS, "lead_id", lead_ids))
        note_pks = conn.execute(
            select(NOTES.c.pk).where(NOTES.c.lead_id.in_(lead_ids)).where(NOTES.c.id.not_in(unsent))
        ).scalars()
        fts.forget(conn, fts.NOTES_FTS, list(note_pks))
    conn.execute(delete(LEADS).where(LEADS.c.id.in_(lead_ids)))
    conn.execute(delete(EVENTS).where(EVENTS.c.lead_id.in_(lead_ids)))
    for table in (NOTES, OBJECTIONS, DISPOSITIONS, USES):
        conn.execute(
            delete(table).where(table.c.lead_id.in_(lead_ids)).where(table.c.id.not_in(unsent))
        )
    conn.execute(
        delete(BANT_HISTORY)
        .where(BANT_HISTORY.c.lead_id.in_(lead_ids))
        .where(
            BANT_HISTORY.c.mutation_id.is_(None)
            | BANT_HISTORY.c.mutation_id.not_in(unsent_mutations)
        )
    )
    unsent_quals = (
        select(OUTBOX.c.lead_id)
        .where(_UNSENT)
        .where(OUTBOX.c.kind == MutationKind.QUALIFICATION_UPDATE.value)
    )
    conn.execute(
        delete(BANT).where(BANT.c.lead_id.in_(lead_ids)).where(BANT.c.lead_id.not_in(unsent_quals))
    )


def set_aside_unsent(conn: Connection) -> None:
    """Take the previous rep's unsent work off the queue (the caller saved it to a file first).

    Used only when a DIFFERENT rep signs in on this data folder: their work must never be
    pushed under the new rep's sign-in, nor shown to them. The local rows those items made
    stop being "unsent", so the full resync that follows drops them with the rest.
    """
    conn.execute(delete(CONFLICTS))
    conn.execute(delete(OUTBOX).where(_UNSENT))


def begin_full_resync(conn: Connection) -> Changes:
    """Forget everything the hub sent (and the cursor); keep the outbox and conflicts."""
    all_leads = list(conn.execute(select(LEADS.c.id)).scalars())
    orphan_leads = select(NOTES.c.lead_id).union(select(BANT.c.lead_id))
    del orphan_leads
    unsent = select(OUTBOX.c.entity_id).where(_UNSENT)
    for table in (NOTES, OBJECTIONS, DISPOSITIONS, USES):
        conn.execute(delete(table).where(table.c.id.not_in(unsent)))
    drop_lead_data(conn, all_leads, live_fts=False)
    unsent_quals = (
        select(OUTBOX.c.lead_id)
        .where(_UNSENT)
        .where(OUTBOX.c.kind == MutationKind.QUALIFICATION_UPDATE.value)
    )
    conn.execute(delete(BANT).where(BANT.c.lead_id.not_in(unsent_quals)))
    for table in (CAMPAIGNS, COLLATERAL, RUBRIC, CATEGORIES, TOMBSTONES):
        conn.execute(delete(table))
    fts.rebuild(conn)
    conn.execute(update(SYNC).values(cursor=None, full_resync_needed=True, fts_stale=False))
    return Changes(
        leads=True,
        timeline=True,
        qualification=True,
        feedback=True,
        collateral=True,
        reference=True,
        session=True,
    )
