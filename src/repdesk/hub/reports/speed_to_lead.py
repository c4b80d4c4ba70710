"""Speed to lead: hours from a lead's assignment to its first call, per rep and per
campaign (median and 90th percentile, see `sql` for the method), and the leads over the
team's SLA."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    Subquery,
    and_,
    case,
    func,
    literal,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from repdesk.domain.ids import utcnow
from repdesk.hub.admin.settings import sla_hours
from repdesk.hub.db.models import CallNote, Campaign, Lead, Rep
from repdesk.hub.reports.facts import call_at, first_calls
from repdesk.hub.reports.filters import ReportFilter
from repdesk.hub.reports.scope import NO_CAMPAIGN, all_of, lead_conditions
from repdesk.hub.reports.shapes import Column, Section, Table, chart_from_table
from repdesk.hub.reports.sql import as_int, hours_between, percentile, rank_columns

OVER_SLA_SHOWN = 100
"""How many over-SLA leads the section lists (`over_sla_leads` pages through all)."""

NOTES = (
    "Leads counted: assigned to a rep now and not deleted; the date range applies to when "
    "the lead was assigned to its current owner (assigned_at). Rep = the lead's owner.",
    "First call = the earliest call note at or after the assignment (the call's start as "
    "logged, else when the note was written); calls before a reassignment do not count.",
    "Median and 90th percentile by linear interpolation between closest ranks (as "
    "PostgreSQL's percentile_cont), over the leads called so far.",
    "Over the SLA: never called and assigned more than the SLA ago, or first called more "
    "than the SLA after assignment.",
)

_STATS = (
    Column("assigned", "Leads assigned", "int"),
    Column("called", "Called", "int"),
    Column("not_called", "Not called yet", "int"),
    Column("median_hours", "Median hours to first call", "hours"),
    Column("p90_hours", "90th percentile hours", "hours"),
    Column("over_sla", "Over the SLA", "int"),
)


_NO_REP = "(no rep)"


def _totals(flt: ReportFilter, key: str | None, now: datetime, sla: int) -> Subquery:
    """Per `key` ("rep", "campaign" or None for one overall row): k, assigned, called, and
    over_sla. Leads are counted from `leads`, calls from `first_calls`; leads never called
    are over the SLA when assigned before now - SLA, so over = called late + (assigned
    before the cutoff - called among those)."""
    cutoff = now - timedelta(hours=sla)
    calls = first_calls(flt)
    lead_key = {"rep": Lead.owner_rep_id, "campaign": Lead.source_campaign_id}.get(key or "")
    call_key = {"rep": calls.c.owner_rep_id, "campaign": calls.c.campaign_id}.get(key or "")
    zero = literal(0)
    hours = hours_between(calls.c.first_call_at, calls.c.assigned_at)
    leads_part = select(
        func.coalesce(lead_key, "").label("k") if lead_key is not None else literal("").label("k"),
        func.count().label("assigned"),
        func.sum(case((Lead.assigned_at < cutoff, 1), else_=0)).label("old"),
        zero.label("called"),
        zero.label("called_old"),
        zero.label("late"),
    ).where(all_of(lead_conditions(flt)))
    calls_part = select(
        func.coalesce(call_key, "") if call_key is not None else literal(""),
        zero,
        zero,
        func.count(calls.c.first_call_at),
        func.sum(
            case(
                (and_(calls.c.first_call_at.is_not(None), calls.c.assigned_at < cutoff), 1),
                else_=0,
            )
        ),
        func.sum(case((hours > sla, 1), else_=0)),
    ).select_from(calls)
    if lead_key is not None and call_key is not None:
        leads_part = leads_part.group_by(lead_key)
        calls_part = calls_part.group_by(call_key)
    parts = union_all(leads_part, calls_part).subquery("parts")
    sums = {
        name: as_int(func.sum(parts.c[name]))
        for name in ("assigned", "old", "called", "called_old", "late")
    }
    return (
        select(
            parts.c.k,
            sums["assigned"].label("assigned"),
            sums["called"].label("called"),
            (sums["late"] + sums["old"] - sums["called_old"]).label("over_sla"),
        )
        .group_by(parts.c.k)
        .subquery("totals")
    )


def _spread(flt: ReportFilter, key: str) -> Subquery:
    """Per key: median and p90 of hours to first call over the leads called."""
    calls = first_calls(flt)
    call_key = func.coalesce(calls.c.owner_rep_id if key == "rep" else calls.c.campaign_id, "")
    hours = hours_between(calls.c.first_call_at, calls.c.assigned_at)
    rank, n = rank_columns(hours, call_key)
    ranked = (
        select(call_key.label("k"), hours.label("hours"), rank, n)
        .where(calls.c.first_call_at.is_not(None))
        .subquery("ranked")
    )
    return (
        select(
            ranked.c.k,
            percentile(50, ranked.c.hours, ranked.c.pct_rank, ranked.c.pct_n).label("median"),
            percentile(90, ranked.c.hours, ranked.c.pct_rank, ranked.c.pct_n).label("p90"),
        )
        .group_by(ranked.c.k)
        .subquery("spread")
    )


def _stats(flt: ReportFilter, key: str, now: datetime, sla: int) -> Select[Any]:
    """Per rep or campaign: label, assigned, called, not called, median, p90, over SLA."""
    totals = _totals(flt, key, now, sla)
    spread = _spread(flt, key)
    if key == "rep":
        label: ColumnElement[Any] = func.coalesce(
            func.nullif(Rep.name, ""), Rep.email, literal(_NO_REP)
        )
        target: Any = Rep
        on = Rep.id == totals.c.k
    else:
        label = func.coalesce(Campaign.name, literal(NO_CAMPAIGN))
        target = Campaign
        on = Campaign.id == totals.c.k
    return (
        select(
            label,
            totals.c.assigned,
            totals.c.called,
            totals.c.assigned - totals.c.called,
            spread.c.median,
            spread.c.p90,
            totals.c.over_sla,
        )
        .select_from(totals)
        .outerjoin(spread, spread.c.k == totals.c.k)
        .outerjoin(target, on)
        .order_by(label)
    )


def speed_to_lead(
    session: Session,
    flt: ReportFilter | None = None,
    *,
    now: datetime | None = None,
    sla: int | None = None,
) -> Section:
    """The speed-to-lead section: per rep, per campaign, and the first over-SLA leads.

    `now` (default: the current time) is when waiting stops for leads never called;
    `sla` defaults to the hub's setting (`admin.settings.sla_hours`)."""
    flt = flt or ReportFilter()
    now = now or utcnow()
    sla = sla_hours(session) if sla is None else sla
    per_rep = session.execute(_stats(flt, "rep", now, sla)).all()
    per_campaign = session.execute(_stats(flt, "campaign", now, sla)).all()
    rep_table = Table(
        "by_rep",
        "Speed to lead by rep",
        (Column("rep", "Rep"), *_STATS),
        tuple(tuple(r) for r in per_rep),
    )
    campaign_table = Table(
        "by_campaign",
        "Speed to lead by campaign",
        (Column("campaign", "Campaign"), *_STATS),
        tuple(tuple(r) for r in per_campaign),
    )
    over = over_sla_leads(session, flt, now=now, sla=sla, limit=OVER_SLA_SHOWN)
    chart = chart_from_table(
        rep_table,
        "hours_by_rep",
        "Hours to first call by rep",
        "bar",
        label_column="rep",
        value_columns=("median_hours", "p90_hours"),
    )
    notes = (*NOTES, f"The SLA is {sla} hours.")
    return Section(
        "speed_to_lead", "Speed to lead", (rep_table, campaign_table, over), (chart,), notes
    )


OVER_SLA_COLUMNS = (
    Column("lead", "Lead"),
    Column("company", "Company"),
    Column("campaign", "Campaign"),
    Column("rep", "Rep"),
    Column("assigned_at", "Assigned", "datetime"),
    Column("first_call_at", "First call", "datetime"),
    Column("hours", "Hours (to first call, or waiting so far)", "hours"),
    Column("status", "Status"),
    Column("lead_id", "Lead id"),
)


def over_sla_leads(
    session: Session,
    flt: ReportFilter | None = None,
    *,
    now: datetime | None = None,
    sla: int | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> Table:
    """Leads over the SLA, longest first: never called ("not called") or called late
    ("called late"). `limit` None lists them all (the CSV download); the table's note says
    how many there are in all."""
    flt = flt or ReportFilter()
    now = now or utcnow()
    sla = sla_hours(session) if sla is None else sla
    cutoff = now - timedelta(hours=sla)
    calls = first_calls(flt)
    hours = hours_between(calls.c.first_call_at, calls.c.assigned_at)
    late = select(calls.c.lead_id, calls.c.first_call_at, hours.label("waited")).where(hours > sla)
    called_since = (
        select(CallNote.id).where(CallNote.lead_id == Lead.id, call_at >= Lead.assigned_at).exists()
    )
    never = select(
        Lead.id.label("lead_id"),
        literal(None, Lead.assigned_at.type).label("first_call_at"),
        hours_between(literal(now, Lead.assigned_at.type), Lead.assigned_at).label("waited"),
    ).where(*lead_conditions(flt), Lead.assigned_at < cutoff, ~called_since)
    if limit is not None:
        # Only the first offset + limit of each can make the page: both come off an index.
        late = late.order_by(hours.desc(), calls.c.lead_id).limit(offset + limit)
        never = never.order_by(Lead.assigned_at, Lead.id).limit(offset + limit)
    over = union_all(select(late.subquery("late")), select(never.subquery("never"))).subquery(
        "over"
    )
    name = func.trim(Lead.first_name + literal(" ") + Lead.last_name)
    query = (
        select(
            case((name == "", Lead.email), else_=name),
            Lead.company,
            func.coalesce(Campaign.name, NO_CAMPAIGN),
            func.coalesce(func.nullif(Rep.name, ""), Rep.email, _NO_REP),
            Lead.assigned_at,
            over.c.first_call_at,
            over.c.waited,
            case((over.c.first_call_at.is_(None), "not called"), else_="called late"),
            over.c.lead_id,
        )
        .join(Lead, Lead.id == over.c.lead_id)
        .outerjoin(Campaign, Campaign.id == Lead.source_campaign_id)
        .outerjoin(Rep, Rep.id == Lead.owner_rep_id)
        .order_by(over.c.waited.desc(), over.c.lead_id)
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    rows = session.execute(query).all()
    total = session.scalar(select(_totals(flt, None, now, sla).c.over_sla)) or 0
    shown = f"{len(rows)} of {total}" if len(rows) < total else str(total)
    return Table(
        "over_sla",
        f"Leads over the {sla}-hour SLA",
        OVER_SLA_COLUMNS,
        tuple(tuple(r) for r in rows),
        note=f"{shown} leads over the SLA, longest wait first.",
    )


__all__ = ["OVER_SLA_COLUMNS", "over_sla_leads", "speed_to_lead"]
