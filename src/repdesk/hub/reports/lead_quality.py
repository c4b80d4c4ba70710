"""Lead quality: what became of the leads marketing handed to sales, per campaign and per
lead source, and why reps sent leads back or disqualified them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, case, cast, func, literal, select
from sqlalchemy.orm import Session

from repdesk.domain.feedback import DispositionKind
from repdesk.hub.reports.facts import lead_facts
from repdesk.hub.reports.filters import ReportFilter
from repdesk.hub.reports.scope import NO_CAMPAIGN, NO_SOURCE
from repdesk.hub.reports.shapes import Column, Section, Table, chart_from_table
from repdesk.hub.reports.sql import as_int

ACCEPTANCE_LABEL = "Acceptance (accepted ÷ leads with a verdict)"

_FUNNEL = (
    Column("assigned", "Leads assigned", "int"),
    Column("worked", "Worked (called at least once)", "int"),
    Column("accepted", "Accepted", "int"),
    Column("returned", "Back to nurture", "int"),
    Column("disqualified", "Disqualified", "int"),
    Column("no_verdict", "No verdict yet", "int"),
    Column("acceptance", ACCEPTANCE_LABEL, "pct"),
)

NOTES = (
    "Leads counted: assigned to a rep now and not deleted; the date range applies to when "
    "the lead was assigned to its current owner (assigned_at).",
    "A lead's verdict is its latest disposition (accept, back to nurture, disqualify); "
    "acceptance = accepted ÷ leads with a verdict (leads still without one are left out).",
    "Worked = at least one call note on the lead. Lead source = the channel of the lead's "
    "source campaign.",
    "Marketing's own unassignments are not history the hub keeps: a lead unassigned since "
    "is no longer counted.",
)


def _funnel_columns(facts: Any) -> list[Any]:
    def count_kind(kind: DispositionKind) -> Any:
        return as_int(func.sum(case((facts.c.verdict == kind.value, 1), else_=0)))

    accepted = count_kind(DispositionKind.ACCEPT)
    with_verdict = func.count(facts.c.verdict)
    return [
        func.count().label("assigned"),
        as_int(func.sum(facts.c.worked)).label("worked"),
        accepted.label("accepted"),
        count_kind(DispositionKind.RETURN_TO_NURTURE).label("returned"),
        count_kind(DispositionKind.DISQUALIFY).label("disqualified"),
        (func.count() - with_verdict).label("no_verdict"),
        case(
            (with_verdict == 0, None),
            else_=cast(accepted, Float) / with_verdict,
        ).label("acceptance"),
    ]


def lead_quality(session: Session, flt: ReportFilter | None = None) -> Section:
    """The lead-quality section: funnel per campaign and per source, ranked reasons."""
    flt = flt or ReportFilter()
    facts = lead_facts(flt)
    campaign_label = func.coalesce(facts.c.campaign, literal(NO_CAMPAIGN))
    source_label = case(
        (func.coalesce(facts.c.source, "") == "", literal(NO_SOURCE)), else_=facts.c.source
    )
    by_key = (
        select(literal("campaign").label("dim"), campaign_label, *_funnel_columns(facts))
        .group_by(facts.c.campaign_id, facts.c.campaign)
        .union_all(
            select(literal("source").label("dim"), source_label, *_funnel_columns(facts)).group_by(
                source_label
            )
        )
    )
    rows = session.execute(by_key).all()
    by_campaign = sorted((tuple(r[1:]) for r in rows if r[0] == "campaign"), key=_by_label)
    by_source = sorted((tuple(r[1:]) for r in rows if r[0] == "source"), key=_by_label)
    campaign_table = Table(
        "by_campaign",
        "Lead quality by campaign",
        (Column("campaign", "Campaign"), *_FUNNEL),
        tuple(by_campaign),
    )
    source_table = Table(
        "by_source",
        "Lead quality by lead source",
        (Column("source", "Lead source"), *_FUNNEL),
        tuple(by_source),
    )
    reasons = session.execute(
        select(facts.c.verdict, facts.c.reason, func.count().label("leads"))
        .where(
            facts.c.verdict.in_(
                [DispositionKind.RETURN_TO_NURTURE.value, DispositionKind.DISQUALIFY.value]
            )
        )
        .group_by(facts.c.verdict, facts.c.reason)
        .order_by(func.count().desc(), facts.c.reason)
    ).all()
    reason_columns = (Column("reason", "Reason"), Column("leads", "Leads", "int"))
    returned = Table(
        "returned_reasons",
        "Why leads went back to nurture",
        reason_columns,
        tuple((r.reason, r.leads) for r in reasons if r.verdict == "return_to_nurture"),
        note="Leads whose current verdict is back to nurture, by the reason the rep gave.",
    )
    disqualified = Table(
        "disqualified_reasons",
        "Why leads were disqualified",
        reason_columns,
        tuple((r.reason, r.leads) for r in reasons if r.verdict == "disqualify"),
        note="Leads whose current verdict is disqualify, by the reason the rep gave.",
    )
    charts = (
        chart_from_table(
            campaign_table,
            "verdicts_by_campaign",
            "Verdicts by campaign",
            "stacked",
            label_column="campaign",
            value_columns=("accepted", "returned", "disqualified", "no_verdict"),
        ),
        chart_from_table(
            source_table,
            "acceptance_by_source",
            "Acceptance by lead source",
            "bar",
            label_column="source",
            value_columns=("acceptance",),
        ),
    )
    return Section(
        "lead_quality",
        "Lead quality",
        (campaign_table, source_table, returned, disqualified),
        charts,
        NOTES,
    )


def _by_label(row: tuple[Any, ...]) -> tuple[bool, str]:
    label = str(row[0])
    return (label.startswith("("), label.casefold())


__all__ = ["ACCEPTANCE_LABEL", "lead_quality"]
