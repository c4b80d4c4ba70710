"""Dropping what the hub sent: a lead reassigned away, or everything for a full resync."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Connection, delete, select, true, update

from repdesk.domain.changes import LEAD_DATA, Changes
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

_UNSENT = OUTBOX.c.state != OutboxState.APPLIED.value


def drop_lead_data(conn: Connection, lead_ids: list[str] | None, live_fts: bool) -> None:
    """Drop what the hub sent about `lead_ids` (None: every lead, with no IN list, so any
    number of leads works), keeping the rep's unsent rows."""

    def of(column: ColumnElement[str]) -> ColumnElement[bool]:
        return true() if lead_ids is None else column.in_(lead_ids)

    unsent = select(OUTBOX.c.entity_id).where(_UNSENT)
    unsent_mutations = select(OUTBOX.c.id).where(_UNSENT)
    if live_fts:
        assert lead_ids is not None, "live FTS upkeep is for a page's leads, not all of them"
        fts.forget(conn, fts.LEADS_FTS, fts.pks_where(conn, fts.LEADS_FTS, "id", lead_ids))
        fts.forget(conn, fts.EVENTS_FTS, fts.pks_where(conn, fts.EVENTS_FTS, "lead_id", lead_ids))
        note_pks = conn.execute(
            select(NOTES.c.pk).where(NOTES.c.lead_id.in_(lead_ids)).where(NOTES.c.id.not_in(unsent))
        ).scalars()
        fts.forget(conn, fts.NOTES_FTS, list(note_pks))
    conn.execute(delete(LEADS).where(of(LEADS.c.id)))
    conn.execute(delete(EVENTS).where(of(EVENTS.c.lead_id)))
    for table in (NOTES, OBJECTIONS, DISPOSITIONS, USES, FOLLOWUPS):
        conn.execute(delete(table).where(of(table.c.lead_id)).where(table.c.id.not_in(unsent)))
    conn.execute(
        delete(BANT_HISTORY)
        .where(of(BANT_HISTORY.c.lead_id))
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
    conn.execute(delete(BANT).where(of(BANT.c.lead_id)).where(BANT.c.lead_id.not_in(unsent_quals)))


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
    drop_lead_data(conn, None, live_fts=False)
    for table in (CAMPAIGNS, COLLATERAL, RUBRIC, CATEGORIES, TOMBSTONES):
        conn.execute(delete(table))
    fts.rebuild(conn)
    conn.execute(update(SYNC).values(cursor=None, full_resync_needed=True, fts_stale=False))
    return LEAD_DATA | Changes(session=True)


def erase_everything(conn: Connection) -> None:
    """Everything the rep's machine holds about leads and their work, outbox included (the
    caller exported the unsent part first): for a rep marketing disabled."""
    set_aside_unsent(conn)
    begin_full_resync(conn)
    conn.execute(delete(OUTBOX))
    for table in (NOTES, OBJECTIONS, DISPOSITIONS, USES, FOLLOWUPS, BANT, BANT_HISTORY):
        conn.execute(delete(table))
    fts.rebuild(conn)
