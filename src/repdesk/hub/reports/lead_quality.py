"""Lead quality: what became of the leads marketing handed to sales, per campaign and per
lead source, and why reps sent leads back or disqualified them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import CTE, Float, case, cast, func, literal, select, union_all
from sqlalchemy.orm import Session

from repdesk.domain.feedback import DispositionKind
from repdesk.hub.db.models import Campaign, LeadFacts
from repdesk.hub.reports.facts import latest_verdicts
from repdesk.hub.reports.filters import ReportFilter
from repdesk.hub.reports.scope import NO_CAMPAIGN, NO_SOURCE, all_of, lead_conditions
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


def _per_campaign(flt: ReportFilter) -> CTE:
    """(campaign_id, assigned, worked, accepted, returned, disqualified) per source campaign
    of the leads in scope ("" for none): one pass over `lead_facts`."""
    facts = LeadFacts

    def flag(condition: Any) -> Any:
        return as_int(func.sum(case((condition, 1), else_=0)))

    def kind(value: DispositionKind) -> Any:
        return flag(facts.verdict_kind == value.value)

    campaign_id = func.coalesce(facts.source_campaign_id, "")
    return (
        select(
            campaign_id.label("campaign_id"),
            func.count().label("assigned"),
            flag(facts.worked.is_(True)).label("worked"),
            kind(DispositionKind.ACCEPT).label("accepted"),
            kind(DispositionKind.RETURN_TO_NURTURE).label("returned"),
            kind(DispositionKind.DISQUALIFY).label("disqualified"),
        )
        .where(all_of(lead_conditions(flt, facts)))
        .group_by(campaign_id)
        .cte("per_campaign")
        .prefix_with("MATERIALIZED")
    )


def _funnel(
    assigned: Any, worked: Any, accepted: Any, returned: Any, disqualified: Any
) -> list[Any]:
    with_verdict = accepted + returned + disqualified
    return [
        assigned,
        worked,
        accepted,
        returned,
        disqualified,
        assigned - with_verdict,
        case((with_verdict == 0, None), else_=cast(accepted, Float) / with_verdict),
    ]


def lead_quality(session: Session, flt: ReportFilter | None = None) -> Section:
    """The lead-quality section: funnel per campaign and per source, ranked reasons."""
    flt = flt or ReportFilter()
    per = _per_campaign(flt)
    source = case(
        (func.coalesce(Campaign.channel, "") == "", literal(NO_SOURCE)), else_=Campaign.channel
    )
    by_campaign_query = (
        select(
            literal("campaign").label("dim"),
            func.coalesce(Campaign.name, literal(NO_CAMPAIGN)),
            *_funnel(
                per.c.assigned, per.c.worked, per.c.accepted, per.c.returned, per.c.disqualified
            ),
        )
        .select_from(per)
        .outerjoin(Campaign, Campaign.id == per.c.campaign_id)
    )
    sums = [
        as_int(func.sum(per.c[n]))
        for n in ("assigned", "worked", "accepted", "returned", "disqualified")
    ]
    by_source_query = (
        select(literal("source").label("dim"), source, *_funnel(*sums))
        .select_from(per)
        .outerjoin(Campaign, Campaign.id == per.c.campaign_id)
        .group_by(source)
    )
    rows = session.execute(union_all(by_campaign_query, by_source_query)).all()
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
    verdicts = latest_verdicts(flt)
    reasons = session.execute(
        select(verdicts.c.kind, verdicts.c.reason, func.count().label("leads"))
        .where(
            verdicts.c.kind.in_(
                [DispositionKind.RETURN_TO_NURTURE.value, DispositionKind.DISQUALIFY.value]
            )
        )
        .group_by(verdicts.c.kind, verdicts.c.reason)
        .order_by(func.count().desc(), verdicts.c.reason)
    ).all()
    reason_columns = (Column("reason", "Reason"), Column("leads", "Leads", "int"))
    returned = Table(
        "returned_reasons",
        "Why leads went back to nurture",
        reason_columns,
        tuple((r.reason, r.leads) for r in reasons if r.kind == "return_to_nurture"),
        note="Leads whose current verdict is back to nurture, by the reason the rep gave.",
    )
    disqualified = Table(
        "disqualified_reasons",
        "Why leads were disqualified",
        reason_columns,
        tuple((r.reason, r.leads) for r in reasons if r.kind == "disqualify"),
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
