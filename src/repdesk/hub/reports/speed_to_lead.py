"""Speed to lead: hours from a lead's assignment to its first call, per rep and per
campaign (median and 90th percentile, see `sql` for the method), and the leads over the
team's SLA."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CTE, ColumnElement, Select, case, func, literal, select
from sqlalchemy.orm import Session

from repdesk.domain.ids import utcnow
from repdesk.hub.admin.settings import sla_hours
from repdesk.hub.db.models import Lead, Rep
from repdesk.hub.reports.facts import lead_facts
from repdesk.hub.reports.filters import ReportFilter
from repdesk.hub.reports.scope import NO_CAMPAIGN
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


def _hours(facts: CTE) -> ColumnElement[float]:
    return hours_between(facts.c.first_call_at, facts.c.assigned_at)


def _waited(facts: CTE, now: datetime) -> ColumnElement[float]:
    """Hours to the first call, or (never called) hours since assignment until `now`."""
    return case(
        (
            facts.c.first_call_at.is_(None),
            hours_between(literal(now, Lead.assigned_at.type), facts.c.assigned_at),
        ),
        else_=_hours(facts),
    )


def _over(facts: CTE, now: datetime, sla: int) -> ColumnElement[bool]:
    return _waited(facts, now) > sla


def _stats(
    facts: CTE, key: ColumnElement[Any], label: ColumnElement[Any], now: datetime, sla: int
) -> Select[Any]:
    """Per `key`: label, assigned, called, not called, median, p90, over SLA."""
    rank, n = rank_columns(_hours(facts), key)
    ranked = (
        select(key.label("k"), _hours(facts).label("hours"), rank, n)
        .where(facts.c.first_call_at.is_not(None))
        .subquery("ranked")
    )
    spread = (
        select(
            ranked.c.k,
            percentile(50, ranked.c.hours, ranked.c.pct_rank, ranked.c.pct_n).label("median"),
            percentile(90, ranked.c.hours, ranked.c.pct_rank, ranked.c.pct_n).label("p90"),
        )
        .group_by(ranked.c.k)
        .subquery("spread")
    )
    totals = (
        select(
            key.label("k"),
            func.max(label).label("label"),
            func.count().label("assigned"),
            func.count(facts.c.first_call_at).label("called"),
            as_int(func.sum(case((_over(facts, now, sla), 1), else_=0))).label("over_sla"),
        )
        .group_by(key)
        .subquery("totals")
    )
    return (
        select(
            totals.c.label,
            totals.c.assigned,
            totals.c.called,
            (totals.c.assigned - totals.c.called).label("not_called"),
            spread.c.median,
            spread.c.p90,
            totals.c.over_sla,
        )
        .outerjoin(spread, spread.c.k == totals.c.k)
        .order_by(totals.c.label)
    )


def speed_to_lead(
    session: Session,
    flt: ReportFilter | None = None,
    *,
    now: datetime | None = None,
    sla: int | None = None,
    with_over_sla: bool = True,
) -> Section:
    """The speed-to-lead section: per rep, per campaign, and the first over-SLA leads.

    `now` (default: the current time) is when waiting stops for leads never called;
    `sla` defaults to the hub's setting (`admin.settings.sla_hours`). `with_over_sla`
    False leaves the over-SLA table out (for a page that lists it with
    `over_sla_leads`, a page at a time)."""
    flt = flt or ReportFilter()
    now = now or utcnow()
    sla = sla_hours(session) if sla is None else sla
    facts = lead_facts(flt)
    rep_key = func.coalesce(facts.c.owner_rep_id, "")
    rep_name = (
        select(func.coalesce(func.nullif(Rep.name, ""), Rep.email))
        .where(Rep.id == facts.c.owner_rep_id)
        .scalar_subquery()
    )
    per_rep = session.execute(_stats(facts, rep_key, rep_name, now, sla)).all()
    campaign_key = func.coalesce(facts.c.campaign_id, "")
    campaign_name = func.coalesce(facts.c.campaign, NO_CAMPAIGN)
    per_campaign = session.execute(_stats(facts, campaign_key, campaign_name, now, sla)).all()
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
    over = (
        (over_sla_leads(session, flt, now=now, sla=sla, limit=OVER_SLA_SHOWN),)
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


def over_sla_count(
    session: Session,
    flt: ReportFilter | None = None,
    *,
    now: datetime | None = None,
    sla: int | None = None,
) -> int:
    """How many leads are over the SLA (what `over_sla_leads` pages through)."""
    flt = flt or ReportFilter()
    now = now or utcnow()
    sla = sla_hours(session) if sla is None else sla
    facts = lead_facts(flt)
    return (
        session.scalar(select(func.count()).select_from(facts).where(_over(facts, now, sla))) or 0
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
    how many there are in all (`total`, when the caller has counted them with
    `over_sla_count`, is not counted again)."""
    flt = flt or ReportFilter()
    now = now or utcnow()
    sla = sla_hours(session) if sla is None else sla
    facts = lead_facts(flt)
    over = _over(facts, now, sla)
    if total is None:
        total = over_sla_count(session, flt, now=now, sla=sla)
    waited = _waited(facts, now)
    name = func.trim(Lead.first_name + literal(" ") + Lead.last_name)
    query = (
        select(
            case((name == "", Lead.email), else_=name),
            Lead.company,
            func.coalesce(facts.c.campaign, NO_CAMPAIGN),
            func.coalesce(func.nullif(Rep.name, ""), Rep.email),
            facts.c.assigned_at,
            facts.c.first_call_at,
            waited,
            case((facts.c.first_call_at.is_(None), "not called"), else_="called late"),
            facts.c.lead_id,
        )
        .join(Lead, Lead.id == facts.c.lead_id)
        .outerjoin(Rep, Rep.id == facts.c.owner_rep_id)
        .where(over)
        .order_by(waited.desc(), facts.c.lead_id)
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    rows = session.execute(query).all()
    shown = f"{len(rows)} of {total}" if len(rows) < total else str(total)
    return Table(
        "over_sla",
        f"Leads over the {sla}-hour SLA",
        OVER_SLA_COLUMNS,
        tuple(tuple(r) for r in rows),
        note=f"{shown} leads over the SLA, longest wait first.",
    )


__all__ = ["OVER_SLA_COLUMNS", "over_sla_count", "over_sla_leads", "speed_to_lead"]
