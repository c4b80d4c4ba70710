"""Qualification: under the active rubric, how many leads are sales-ready, which BANT
dimension most often keeps each campaign's leads from it, and how answers spread."""

from __future__ import annotations

from sqlalchemy import func, literal, select, union_all
from sqlalchemy.orm import Session

from repdesk.domain.qualification import BANT_ORDER
from repdesk.domain.rubric import dimension_title
from repdesk.hub.db.models import Campaign, LeadFacts
from repdesk.hub.reports.filters import ReportFilter
from repdesk.hub.reports.rubric_sql import active_rubric, readiness
from repdesk.hub.reports.scope import NO_CAMPAIGN, all_of, lead_conditions
from repdesk.hub.reports.shapes import Cell, Column, Section, Table, chart_from_table
from repdesk.hub.reports.sql import as_int
from repdesk.protocol.schema import RubricData, ScaleOptionData

NOT_ANSWERED = "(not answered)"

NOTES = (
    "The current BANT answers of the leads in scope (assigned to a rep now, not deleted; "
    "the date range applies to when the lead was assigned), judged by the active rubric.",
    "A dimension blocks a lead when it is one of the lead's gaps: an unmet required "
    "dimension, or an unmet optional one while too few dimensions are met. Ties for 'most "
    "often blocking' go to the earlier of Budget, Authority, Need, Timeframe.",
)

_TITLES = {dim.value: dimension_title(dim) for dim in BANT_ORDER}


def qualification(session: Session, flt: ReportFilter | None = None) -> Section:
    """The qualification section under the hub's active rubric (empty, with a note, when
    no rubric is published)."""
    flt = flt or ReportFilter()
    rubric = active_rubric(session)
    if rubric is None:
        return Section(
            "qualification",
            "Qualification",
            notes=("No rubric is published, so no lead can be judged sales-ready.",),
        )
    blockers = _blockers(session, rubric, flt)
    in_scope = sum(row[1] for row in blockers.rows if isinstance(row[1], int))
    answers = answer_distribution(session, rubric, flt, leads_in_scope=in_scope)
    chart = chart_from_table(
        blockers,
        "blocking_by_campaign",
        "What keeps leads from being sales-ready",
        "stacked",
        label_column="campaign",
        value_columns=tuple(f"blocks_{dim.value}" for dim in BANT_ORDER),
    )
    return Section(
        "qualification",
        "Qualification",
        (blockers, answers),
        (chart,),
        (*NOTES, f"Rubric: {rubric.name}."),
    )


def _blockers(session: Session, rubric: RubricData, flt: ReportFilter) -> Table:
    ready = readiness(rubric, flt)
    dims = [dim.value for dim in BANT_ORDER]
    per_campaign = (
        select(
            func.min(ready.c.campaign_id).label("campaign_id"),
            func.count().label("leads"),
            as_int(func.sum(ready.c.ready)).label("ready"),
            *(as_int(func.sum(ready.c[f"blocks_{d}"])).label(d) for d in dims),
        )
        # an expression, not the column: SQLite then reads lead_facts whole, not through
        # an index that gives the order but lacks the BANT columns
        .group_by(func.coalesce(ready.c.campaign_id, ""))
        .subquery("per_campaign")
    )
    rows = session.execute(
        select(
            func.coalesce(Campaign.name, literal(NO_CAMPAIGN)),
            per_campaign.c.leads,
            per_campaign.c.ready,
            *(per_campaign.c[d] for d in dims),
        )
        .select_from(per_campaign)
        .outerjoin(Campaign, Campaign.id == per_campaign.c.campaign_id)
        .order_by(func.coalesce(Campaign.name, literal("~")))
    ).all()
    titles = {d.dimension: d.title.strip() or _TITLES[d.dimension] for d in rubric.dimensions}
    table_rows: list[tuple[Cell, ...]] = []
    for campaign, leads, ready_count, *blocked in rows:
        share = ready_count / leads if leads else None
        top = max(range(len(blocked)), key=lambda i: (blocked[i], -i))
        top_title = titles.get(BANT_ORDER[top].value, _TITLES[BANT_ORDER[top].value])
        table_rows.append(
            (
                campaign,
                leads,
                ready_count,
                leads - ready_count,
                share,
                *blocked,
                top_title if blocked[top] else None,
            )
        )
    return Table(
        "readiness_by_campaign",
        "Sales-ready leads and what blocks the rest, by campaign",
        (
            Column("campaign", "Campaign"),
            Column("leads", "Leads", "int"),
            Column("ready", "Sales-ready now", "int"),
            Column("not_ready", "Not ready", "int"),
            Column("ready_share", "Sales-ready ÷ leads", "pct"),
            *(
                Column(f"blocks_{dim.value}", f"Blocked by {_TITLES[dim.value]}", "int")
                for dim in BANT_ORDER
            ),
            Column("top_blocker", "Most often blocking"),
        ),
        tuple(table_rows),
    )


def answer_distribution(
    session: Session, rubric: RubricData, flt: ReportFilter, *, leads_in_scope: int | None = None
) -> Table:
    """Per BANT dimension the rubric asks: how many leads in scope gave each answer, and how
    many have none yet (never asked, or cleared). Read from `lead_facts`' answer columns
    (one pass over the leads in scope with any answer; `leads_in_scope` when the caller
    has already counted them)."""
    scope = all_of(lead_conditions(flt, LeadFacts))
    if leads_in_scope is None:
        leads_in_scope = (
            session.scalar(select(func.count()).select_from(LeadFacts).where(scope)) or 0
        )
    values = {d.value: getattr(LeadFacts, f"{d.value}_value") for d in BANT_ORDER}
    given = (
        select(*(column.label(d) for d, column in values.items()))
        .where(scope, func.coalesce(*values.values()).is_not(None))
        .cte("answered")
        .prefix_with("MATERIALIZED")
    )
    parts = union_all(
        *(
            select(
                literal(d).label("dimension"),
                given.c[d].label("value"),
                func.count().label("n"),
            )
            .where(given.c[d].is_not(None), given.c[d] != "")
            .group_by(given.c[d])
            for d in values
        )
    ).subquery("parts")
    rows = session.execute(
        select(parts).order_by(parts.c.dimension, parts.c.n.desc(), parts.c.value)
    ).all()
    counts: dict[str, list[tuple[str, int]]] = {}
    for dimension, value, n in rows:
        counts.setdefault(dimension, []).append((value, n))
    table_rows: list[tuple[Cell, ...]] = []
    for dim in BANT_ORDER:
        spec = next((d for d in rubric.dimensions if d.dimension == dim.value), None)
        if spec is None:
            continue
        options: dict[str, ScaleOptionData] = {}
        for scale_option in spec.options:
            options.setdefault(scale_option.code, scale_option)
        title = spec.title.strip() or _TITLES[dim.value]
        answered = 0
        for value, n in counts.get(dim.value, []):
            option = options.get(value)
            label = (option.label or value) if option is not None else value
            verdict = (
                "not on the scale"
                if option is None
                else ("qualifies" if option.qualifies else "does not qualify")
            )
            table_rows.append((title, label, value, verdict, n))
            answered += n
        table_rows.append((title, NOT_ANSWERED, "", "", leads_in_scope - answered))
    return Table(
        "answers",
        "How leads answered, per dimension",
        (
            Column("dimension", "Dimension"),
            Column("answer", "Answer"),
            Column("code", "Code"),
            Column("verdict", "Under the rubric"),
            Column("leads", "Leads", "int"),
        ),
        tuple(table_rows),
        note="Whatever the confidence; answers not on the rubric's scale are listed as given.",
    )


__all__ = ["answer_distribution", "qualification"]
