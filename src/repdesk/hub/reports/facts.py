"""Per-lead facts the lead-based sections aggregate, read from `lead_facts` (one row per
lead, kept current by the database's triggers in the transaction of every write; see
`db/migrations/versions/0007_lead_facts.py`), never recomputed from `call_notes` and
`dispositions` per page view (that cost seconds at 100k leads; see
benchmarks/RESULTS-reports.md):

- `first_calls`: leads in scope with at least one call note, and their first call after
  the current assignment;
- `latest_verdicts`: leads in scope with a disposition, and their current verdict.
"""

from __future__ import annotations

from sqlalchemy import Subquery, func, select

from repdesk.hub.db.models import CallNote, LeadFacts
from repdesk.hub.reports.filters import ReportFilter
from repdesk.hub.reports.scope import all_of, lead_conditions

call_at = func.coalesce(CallNote.call_started_at, CallNote.created_at)
"""When a call happened: its start as the rep logged it, else when the note was written."""


def first_calls(flt: ReportFilter) -> Subquery:
    """(lead_id, campaign_id, owner_rep_id, assigned_at, first_call_at) for leads in scope
    with at least one call note (they were worked). first_call_at is the earliest call at
    or after the lead's current assignment: None when every call predates it (a reassigned
    lead its new owner has not called)."""
    return (
        select(
            LeadFacts.lead_id,
            LeadFacts.source_campaign_id.label("campaign_id"),
            LeadFacts.owner_rep_id,
            LeadFacts.assigned_at,
            LeadFacts.first_call_at,
        )
        .where(all_of(lead_conditions(flt, LeadFacts)), LeadFacts.worked.is_(True))
        .subquery("first_calls")
    )


def latest_verdicts(flt: ReportFilter) -> Subquery:
    """(lead_id, campaign_id, kind, reason) of every lead in scope with a disposition: its
    current verdict, the latest `decided_at` (ties broken by the higher id). campaign_id
    is "" for a lead with no source campaign."""
    return (
        select(
            LeadFacts.lead_id,
            func.coalesce(LeadFacts.source_campaign_id, "").label("campaign_id"),
            LeadFacts.verdict_kind.label("kind"),
            LeadFacts.verdict_reason.label("reason"),
        )
        .where(all_of(lead_conditions(flt, LeadFacts)), LeadFacts.verdict_kind.is_not(None))
        .subquery("verdicts")
    )


__all__ = ["call_at", "first_calls", "latest_verdicts"]
