"""Per-lead facts the lead-based sections aggregate, each computed from the (smaller)
feedback table it comes from and joined to `leads` by key, never by joining every lead in
scope to subqueries (that costs seconds at 100k leads; see benchmarks/bench_reports.py):

- `first_calls`: leads in scope with at least one call note, and their first call after
  the current assignment;
- `latest_verdicts`: leads in scope with a disposition, and their current verdict.

Leads in scope with neither are counted from `leads` alone (`scope.lead_conditions`).
"""

from __future__ import annotations

from sqlalchemy import Subquery, and_, case, func, or_, select
from sqlalchemy.orm import aliased

from repdesk.hub.db.models import CallNote, DispositionRow, Lead
from repdesk.hub.reports.filters import ReportFilter
from repdesk.hub.reports.scope import all_of, lead_conditions

call_at = func.coalesce(CallNote.call_started_at, CallNote.created_at)
"""When a call happened: its start as the rep logged it, else when the note was written."""


def first_calls(flt: ReportFilter) -> Subquery:
    """(lead_id, campaign_id, owner_rep_id, assigned_at, first_call_at) for leads in scope
    with at least one call note (they were worked). first_call_at is the earliest call at
    or after the lead's current assignment: None when every call predates it (a reassigned
    lead its new owner has not called)."""
    after = case((call_at >= Lead.assigned_at, call_at), else_=None)
    return (
        select(
            CallNote.lead_id,
            # one lead per group: min() only names its columns (portably)
            func.min(Lead.source_campaign_id).label("campaign_id"),
            func.min(Lead.owner_rep_id).label("owner_rep_id"),
            func.min(Lead.assigned_at, type_=Lead.assigned_at.type).label("assigned_at"),
            func.min(after, type_=Lead.assigned_at.type).label("first_call_at"),
        )
        .join(Lead, Lead.id == CallNote.lead_id)
        .where(all_of(lead_conditions(flt)))
        # grouped by the notes' own key: SQLite then walks call_notes in index order and
        # looks each lead up, instead of walking all leads and probing for notes
        .group_by(CallNote.lead_id)
        .subquery("first_calls")
    )


def latest_verdicts(flt: ReportFilter) -> Subquery:
    """(lead_id, campaign_id, kind, reason) of every lead in scope with a disposition: its
    current verdict, the latest `decided_at` (ties broken by the higher id). campaign_id
    is "" for a lead with no source campaign: an expression, so that SQLite, asked to
    group by it, still drives from dispositions (not from every lead in index order).

    Written as "no later disposition exists" rather than a row_number() window: on SQLite
    that is an index probe per disposition instead of a sort (3x faster at 25k rows)."""
    later = aliased(DispositionRow)
    superseded = (
        select(later.id)
        .where(
            later.lead_id == DispositionRow.lead_id,
            or_(
                later.decided_at > DispositionRow.decided_at,
                and_(later.decided_at == DispositionRow.decided_at, later.id > DispositionRow.id),
            ),
        )
        .exists()
    )
    return (
        select(
            DispositionRow.lead_id,
            func.coalesce(Lead.source_campaign_id, "").label("campaign_id"),
            DispositionRow.kind,
            DispositionRow.reason,
        )
        .join(Lead, Lead.id == DispositionRow.lead_id)
        .where(all_of(lead_conditions(flt)), ~superseded)
        .subquery("verdicts")
    )


__all__ = ["call_at", "first_calls", "latest_verdicts"]
