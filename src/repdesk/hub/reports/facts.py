"""Per-lead facts the lead-based sections aggregate: the lead's current verdict (its
latest disposition), whether it was worked, and its first call after assignment."""

from __future__ import annotations

from sqlalchemy import CTE, Subquery, and_, case, func, literal, select

from repdesk.hub.db.models import CallNote, Campaign, DispositionRow, Lead
from repdesk.hub.reports.filters import ReportFilter
from repdesk.hub.reports.scope import all_of, lead_conditions

call_at = func.coalesce(CallNote.call_started_at, CallNote.created_at)
"""When a call happened: its start as the rep logged it, else when the note was written."""


def latest_verdicts(flt: ReportFilter) -> Subquery:
    """(lead_id, kind, reason, rn) of the dispositions of leads in scope; rn = 1 is the
    lead's current verdict (latest `decided_at`, ties broken by id)."""
    rn = func.row_number().over(
        partition_by=DispositionRow.lead_id,
        order_by=(DispositionRow.decided_at.desc(), DispositionRow.id.desc()),
    )
    return (
        select(
            DispositionRow.lead_id,
            DispositionRow.kind,
            DispositionRow.reason,
            rn.label("rn"),
        )
        .join(Lead, Lead.id == DispositionRow.lead_id)
        .where(all_of(lead_conditions(flt)))
        .subquery("verdicts")
    )


def call_summary(flt: ReportFilter) -> Subquery:
    """(lead_id, first_call_at) for leads in scope with at least one call note;
    first_call_at is the earliest call at or after the lead's current assignment (None
    when every call predates it: a reassigned lead its new owner has not called)."""
    after = case((call_at >= Lead.assigned_at, call_at), else_=None)
    return (
        select(CallNote.lead_id, func.min(after).label("first_call_at"))
        .join(Lead, Lead.id == CallNote.lead_id)
        .where(all_of(lead_conditions(flt)))
        .group_by(CallNote.lead_id)
        .subquery("calls")
    )


def lead_facts(flt: ReportFilter) -> CTE:
    """One row per lead in scope: lead_id, campaign_id, campaign (name), source (channel),
    owner_rep_id, assigned_at, worked (1 when it has a call note), first_call_at, verdict
    (kind of the latest disposition, None without one) and reason."""
    calls = call_summary(flt)
    verdicts = latest_verdicts(flt)
    return (
        select(
            Lead.id.label("lead_id"),
            Lead.source_campaign_id.label("campaign_id"),
            Campaign.name.label("campaign"),
            Campaign.channel.label("source"),
            Lead.owner_rep_id,
            Lead.assigned_at,
            case((calls.c.lead_id.is_(None), literal(0)), else_=literal(1)).label("worked"),
            calls.c.first_call_at,
            verdicts.c.kind.label("verdict"),
            verdicts.c.reason,
        )
        .outerjoin(Campaign, Campaign.id == Lead.source_campaign_id)
        .outerjoin(calls, calls.c.lead_id == Lead.id)
        .outerjoin(verdicts, and_(verdicts.c.lead_id == Lead.id, verdicts.c.rn == 1))
        .where(all_of(lead_conditions(flt)))
        .cte("facts")
    )


__all__ = ["call_at", "call_summary", "latest_verdicts", "lead_facts"]
