"""Speed to lead: hours from a lead's assignment to its first call, per rep and per
campaign (median and 90th percentile, see `sql` for the method), and the leads over the
team's SLA."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from repdesk.domain.ids import utcnow
from repdesk.hub.admin.settings import sla_hours
from repdesk.hub.db.models import Campaign, Lead, LeadFacts, Rep
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
_DIMS = ("rep", "campaign")


def _stats(session: Session, flt: ReportFilter, now: datetime, sla: int) -> dict[str, list[Any]]:
    """Per rep and per campaign (one statement): label, assigned, called, not called,
    median, p90, over SLA.

    Leads in scope are counted once per (rep, campaign) from `lead_facts` and
    materialised, then summed per rep and per campaign. A lead never called is over the
    SLA when assigned before now - SLA, so over = called late + (assigned before that
    cutoff - called among those). Percentiles rank only the called leads."""
    cutoff = now - timedelta(hours=sla)
    facts = LeadFacts
    scope = all_of(lead_conditions(flt, facts))
    hours = hours_between(facts.first_call_at, facts.assigned_at)
    calls = (
        select(
            func.coalesce(facts.owner_rep_id, "").label("rep"),
            func.coalesce(facts.source_campaign_id, "").label("campaign"),
            hours.label("hours"),
        )
        .where(scope, facts.first_call_at.is_not(None))
        .cte("calls")
        .prefix_with("MATERIALIZED")
    )
    called = facts.first_call_at.is_not(None)
    old = facts.assigned_at < cutoff
    counts = (
        select(
            func.coalesce(facts.owner_rep_id, "").label("rep"),
            func.coalesce(facts.source_campaign_id, "").label("campaign"),
            func.count().label("assigned"),
            func.sum(case((old, 1), else_=0)).label("old"),
            func.count(facts.first_call_at).label("called"),
            func.sum(case((and_(called, old), 1), else_=0)).label("called_old"),
            func.sum(case((and_(called, hours > sla), 1), else_=0)).label("late"),
        )
        .where(scope)
        .group_by(facts.source_campaign_id, facts.owner_rep_id)
        .cte("counts")
        .prefix_with("MATERIALIZED")
    )
    branches = []
    for dim in _DIMS:
        totals = (
            select(
                counts.c[dim].label("k"),
                as_int(func.sum(counts.c.assigned)).label("assigned"),
                as_int(func.sum(counts.c.called)).label("called"),
                as_int(
                    func.sum(counts.c.late) + func.sum(counts.c.old) - func.sum(counts.c.called_old)
                ).label("over_sla"),
            )
            .group_by(counts.c[dim])
            .subquery(f"totals_{dim}")
        )
        rank, n = rank_columns(calls.c.hours, calls.c[dim])
        ranked = select(calls.c[dim].label("k"), calls.c.hours, rank, n).subquery(f"ranked_{dim}")
        spread = (
            select(
                ranked.c.k,
                percentile(50, ranked.c.hours, ranked.c.pct_rank, ranked.c.pct_n).label("median"),
                percentile(90, ranked.c.hours, ranked.c.pct_rank, ranked.c.pct_n).label("p90"),
            )
            .group_by(ranked.c.k)
            .subquery(f"spread_{dim}")
        )
        if dim == "rep":
            label: ColumnElement[Any] = func.coalesce(
                func.nullif(Rep.name, ""), Rep.email, literal(_NO_REP)
            )
            target: Any = Rep
            on = Rep.id == totals.c.k
        else:
            label = func.coalesce(Campaign.name, literal(NO_CAMPAIGN))
            target = Campaign
            on = Campaign.id == totals.c.k
        branches.append(
            select(
                literal(dim).label("dim"),
                label.label("label"),
                totals.c.assigned,
                totals.c.called,
                (totals.c.assigned - totals.c.called).label("not_called"),
                spread.c.median,
                spread.c.p90,
                totals.c.over_sla,
            )
            .select_from(totals)
            .outerjoin(spread, spread.c.k == totals.c.k)
            .outerjoin(target, on)
        )
    rows = session.execute(union_all(*branches)).all()
    return {
        dim: sorted((tuple(r[1:]) for r in rows if r[0] == dim), key=_by_label) for dim in _DIMS
    }


def _by_label(row: tuple[Any, ...]) -> tuple[bool, str]:
    label = str(row[0])
    return (label.startswith("("), label.casefold())


def speed_to_lead(
    session: Session,
    flt: ReportFilter | None = None,
    *,
    now: datetime | None = None,
    sla: int | None = None,
    with_over_sla: bool = True,
) -> Section:
    """The speed-to-lead section: per rep, per campaign, and the first over-SLA leads
    (left out with `with_over_sla=False`, for a page that lists them itself, paged).

    `now` (default: the current time) is when waiting stops for leads never called;
    `sla` defaults to the hub's setting (`admin.settings.sla_hours`)."""
    flt = flt or ReportFilter()
    now = now or utcnow()
    sla = sla_hours(session) if sla is None else sla
    stats = _stats(session, flt, now, sla)
    rep_table = Table(
        "by_rep", "Speed to lead by rep", (Column("rep", "Rep"), *_STATS), tuple(stats["rep"])
    )
    campaign_table = Table(
        "by_campaign",
        "Speed to lead by campaign",
        (Column("campaign", "Campaign"), *_STATS),
        tuple(stats["campaign"]),
    )
    over_total = sum(int(row[-1]) for row in stats["rep"])  # every lead has one owner row
    over = (
        (over_sla_leads(session, flt, now=now, sla=sla, limit=OVER_SLA_SHOWN, total=over_total),)
        if with_over_sla
        else ()
    )
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
        "speed_to_lead", "Speed to lead", (rep_table, campaign_table, *over), (chart,), notes
    )


def _over_total(session: Session, flt: ReportFilter, now: datetime, sla: int) -> int:
    """How many leads in scope are over the SLA: never called and assigned before now -
    SLA, or first called more than the SLA after assignment."""
    cutoff = now - timedelta(hours=sla)
    facts = LeadFacts
    hours = hours_between(facts.first_call_at, facts.assigned_at)
    never = and_(facts.first_call_at.is_(None), facts.assigned_at < cutoff)
    late = and_(facts.first_call_at.is_not(None), hours > sla)
    total = session.scalar(
        select(func.count()).where(*lead_conditions(flt, facts), or_(never, late))
    )
    return int(total or 0)


def over_sla_count(
    session: Session,
    flt: ReportFilter | None = None,
    *,
    now: datetime | None = None,
    sla: int | None = None,
) -> int:
    """How many leads in scope are over the SLA (the length of `over_sla_leads`)."""
    flt = flt or ReportFilter()
    now = now or utcnow()
    sla = sla_hours(session) if sla is None else sla
    return _over_total(session, flt, now, sla)


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
    total: int | None = None,
) -> Table:
    """Leads over the SLA, longest first: never called ("not called") or called late
    ("called late"). `limit` None lists them all (the CSV download); the table's note says
    how many there are in all."""
    flt = flt or ReportFilter()
    now = now or utcnow()
    sla = sla_hours(session) if sla is None else sla
    cutoff = now - timedelta(hours=sla)
    facts = LeadFacts
    scope = lead_conditions(flt, facts)
    hours = hours_between(facts.first_call_at, facts.assigned_at)
    late = select(facts.lead_id.label("lead_id"), facts.first_call_at, hours.label("waited")).where(
        *scope, facts.first_call_at.is_not(None), hours > sla
    )
    never = select(
        facts.lead_id.label("lead_id"),
        facts.first_call_at,
        hours_between(literal(now, facts.assigned_at.type), facts.assigned_at).label("waited"),
    ).where(*scope, facts.assigned_at < cutoff, facts.first_call_at.is_(None))
    if limit is not None:
        # Only the first offset + limit of each can make the page.
        late = late.order_by(hours.desc(), facts.lead_id).limit(offset + limit)
        never = never.order_by(facts.assigned_at, facts.lead_id).limit(offset + limit)
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
    total = _over_total(session, flt, now, sla) if total is None else total
    shown = f"{len(rows)} of {total}" if len(rows) < total else str(total)
    return Table(
        "over_sla",
        f"Leads over the {sla}-hour SLA",
        OVER_SLA_COLUMNS,
        tuple(tuple(r) for r in rows),
        note=f"{shown} leads over the SLA, longest wait first.",
    )


__all__ = ["OVER_SLA_COLUMNS", "over_sla_count", "over_sla_leads", "speed_to_lead"]
