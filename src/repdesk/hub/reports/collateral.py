"""Collateral: which assets reps show and send, whether leads they were used on are
accepted more often, which assets nobody uses, and which objections each answers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, case, cast, func, literal, or_, select, true
from sqlalchemy.orm import Session

from repdesk.domain.feedback import DispositionKind, UseKind
from repdesk.hub.db.models import (
    Campaign,
    Collateral,
    CollateralUseRow,
    LeadFacts,
    ObjectionCategory,
    ObjectionRow,
)
from repdesk.hub.reports.filters import ReportFilter
from repdesk.hub.reports.objections import objection_campaign
from repdesk.hub.reports.scope import NO_CAMPAIGN, all_of, lead_conditions, row_conditions
from repdesk.hub.reports.shapes import Cell, Column, Section, Table, chart_from_table
from repdesk.hub.reports.sql import as_int

NOTES = (
    "Shown and sent count collateral uses by when the rep used the asset (used_at); the "
    "date range applies to that. Campaign = the lead's source campaign; rep = who used it.",
    "Acceptance compares leads in scope (assigned to a rep now, not deleted, assigned in "
    "the date range) on which the asset was ever used with those on which it was not; "
    "acceptance = accepted ÷ leads with a verdict (their latest disposition).",
    "Never used: assets not retired with no use in the filter's scope.",
)

_ACCEPTED = DispositionKind.ACCEPT.value


def _use_conditions(flt: ReportFilter) -> Any:
    return all_of(
        row_conditions(
            flt,
            at=CollateralUseRow.used_at,
            rep_id=CollateralUseRow.rep_id,
            campaign_id=LeadFacts.source_campaign_id,
            of=LeadFacts,
        )
    )


def _count_kind(kind: UseKind) -> Any:
    return as_int(func.sum(case((CollateralUseRow.kind == kind.value, 1), else_=0)))


def collateral(session: Session, flt: ReportFilter | None = None) -> Section:
    """The collateral section."""
    flt = flt or ReportFilter()
    labels = dict(
        session.execute(select(ObjectionCategory.code, ObjectionCategory.label)).tuples().all()
    )
    usage = _usage(session, flt, labels)
    per_campaign = _usage_by_campaign(session, flt)
    acceptance = _acceptance(session, flt)
    never = _never_used(usage)
    answers = _answers(session, flt, labels)
    chart = chart_from_table(
        usage,
        "use_by_asset",
        "Shown and sent, by asset",
        "stacked",
        label_column="asset",
        value_columns=("shown", "sent"),
    )
    return Section(
        "collateral",
        "Collateral",
        (usage, per_campaign, acceptance, never, answers),
        (chart,),
        NOTES,
    )


def _tag_text(tags: Any, labels: dict[str, str]) -> str:
    if not isinstance(tags, list):
        return ""
    return ", ".join(labels.get(str(t), str(t)) for t in tags)


def _usage(session: Session, flt: ReportFilter, labels: dict[str, str]) -> Table:
    uses = (
        select(
            CollateralUseRow.collateral_id,
            _count_kind(UseKind.SHOWN).label("shown"),
            _count_kind(UseKind.SENT).label("sent"),
            func.count(func.distinct(CollateralUseRow.lead_id)).label("leads"),
        )
        .join(LeadFacts, LeadFacts.lead_id == CollateralUseRow.lead_id)
        .where(_use_conditions(flt))
        .group_by(CollateralUseRow.collateral_id)
        .subquery("uses")
    )
    shown = func.coalesce(uses.c.shown, 0)
    sent = func.coalesce(uses.c.sent, 0)
    rows = session.execute(
        select(
            Collateral.title,
            func.coalesce(Campaign.name, ""),
            shown,
            sent,
            func.coalesce(uses.c.leads, 0),
            Collateral.tags,
            Collateral.retired,
            Collateral.id,
        )
        .outerjoin(uses, uses.c.collateral_id == Collateral.id)
        .outerjoin(Campaign, Campaign.id == Collateral.campaign_id)
        .where(or_(Collateral.retired.is_(False), uses.c.collateral_id.is_not(None)))
        .order_by((shown + sent).desc(), Collateral.title, Collateral.id)
    ).all()
    return Table(
        "use_by_asset",
        "Collateral use by asset",
        (
            Column("asset", "Asset"),
            Column("asset_campaign", "Asset's campaign"),
            Column("shown", "Shown", "int"),
            Column("sent", "Sent", "int"),
            Column("leads", "Leads it was used on", "int"),
            Column("answers", "Tagged to answer"),
            Column("status", "Status"),
            Column("collateral_id", "Asset id"),
        ),
        tuple(
            (
                title,
                campaign,
                n_shown,
                n_sent,
                leads,
                _tag_text(tags, labels),
                "retired" if retired else "",
                cid,
            )
            for title, campaign, n_shown, n_sent, leads, tags, retired, cid in rows
        ),
        note="Every asset not retired, and retired ones used in scope; most used first.",
    )


def _usage_by_campaign(session: Session, flt: ReportFilter) -> Table:
    # counted per (asset, lead campaign) first, then labelled: a title and a campaign name
    # looked up per group, not per use
    counts = (
        select(
            CollateralUseRow.collateral_id,
            LeadFacts.source_campaign_id.label("campaign_id"),
            _count_kind(UseKind.SHOWN).label("shown"),
            _count_kind(UseKind.SENT).label("sent"),
            func.count().label("n"),
        )
        .join(LeadFacts, LeadFacts.lead_id == CollateralUseRow.lead_id)
        .where(_use_conditions(flt))
        .group_by(CollateralUseRow.collateral_id, LeadFacts.source_campaign_id)
        .subquery("counts")
    )
    rows = session.execute(
        select(
            func.coalesce(Collateral.title, counts.c.collateral_id),
            func.coalesce(Campaign.name, literal(NO_CAMPAIGN)),
            counts.c.shown,
            counts.c.sent,
        )
        .select_from(counts)
        .outerjoin(Collateral, Collateral.id == counts.c.collateral_id)
        .outerjoin(Campaign, Campaign.id == counts.c.campaign_id)
        .order_by(counts.c.n.desc(), Collateral.title, Campaign.name)
    ).all()
    return Table(
        "use_by_asset_and_campaign",
        "Collateral use by asset and lead campaign",
        (
            Column("asset", "Asset"),
            Column("campaign", "Lead's campaign"),
            Column("shown", "Shown", "int"),
            Column("sent", "Sent", "int"),
        ),
        tuple(tuple(r) for r in rows),
    )


def _acceptance(session: Session, flt: ReportFilter) -> Table:
    """Leads in scope with a verdict, and those accepted, from `lead_facts`: in all
    (totals) and per asset used on them; "not used" = totals - used."""
    facts = LeadFacts
    scope = all_of(lead_conditions(flt, facts))
    is_accepted = facts.verdict_kind == _ACCEPTED
    totals = (
        select(
            func.count(facts.verdict_kind).label("judged"),
            as_int(func.sum(case((is_accepted, 1), else_=0))).label("accepted"),
        )
        .where(scope)
        .subquery("totals")
    )
    used = (
        select(
            CollateralUseRow.collateral_id,
            func.count(func.distinct(CollateralUseRow.lead_id)).label("leads"),
            func.count(
                func.distinct(case((facts.verdict_kind.is_not(None), facts.lead_id), else_=None))
            ).label("judged"),
            func.count(func.distinct(case((is_accepted, facts.lead_id), else_=None))).label(
                "accepted"
            ),
        )
        .join(facts, facts.lead_id == CollateralUseRow.lead_id)
        .where(scope)
        .group_by(CollateralUseRow.collateral_id)
        .subquery("used")
    )
    judged_with = func.coalesce(used.c.judged, 0)
    accepted_with = func.coalesce(used.c.accepted, 0)
    judged_without = totals.c.judged - judged_with
    accepted_without = totals.c.accepted - accepted_with
    rows = session.execute(
        select(
            Collateral.title,
            func.coalesce(used.c.leads, 0),
            judged_with,
            case((judged_with == 0, None), else_=cast(accepted_with, Float) / judged_with),
            judged_without,
            case(
                (judged_without == 0, None),
                else_=cast(accepted_without, Float) / judged_without,
            ),
            Collateral.id,
        )
        .select_from(Collateral)
        .join(totals, true())
        .outerjoin(used, used.c.collateral_id == Collateral.id)
        .where(or_(Collateral.retired.is_(False), used.c.collateral_id.is_not(None)))
        .order_by(func.coalesce(used.c.leads, 0).desc(), Collateral.title, Collateral.id)
    ).all()
    rate = "accepted ÷ leads with a verdict"
    return Table(
        "acceptance_by_asset",
        "Acceptance of leads with and without each asset",
        (
            Column("asset", "Asset"),
            Column("leads_used", "Leads it was used on", "int"),
            Column("judged_used", "…with a verdict", "int"),
            Column("acceptance_used", f"Acceptance when used ({rate})", "pct"),
            Column("judged_not_used", "Leads not used on, with a verdict", "int"),
            Column("acceptance_not_used", f"Acceptance when not used ({rate})", "pct"),
            Column("collateral_id", "Asset id"),
        ),
        tuple(tuple(r) for r in rows),
        note="A comparison, not proof the asset caused the difference.",
    )


def _never_used(usage: Table) -> Table:
    shown, sent, status = usage.index("shown"), usage.index("sent"), usage.index("status")
    keep = ("asset", "asset_campaign", "answers", "collateral_id")
    indexes = [usage.index(k) for k in keep]
    return Table(
        "never_used",
        "Assets nobody used",
        tuple(usage.columns[i] for i in indexes),
        tuple(
            tuple(row[i] for i in indexes)
            for row in usage.rows
            if row[shown] == 0 and row[sent] == 0 and row[status] == ""
        ),
        note="Not retired, and neither shown nor sent in the filter's scope.",
    )


def _answers(session: Session, flt: ReportFilter, labels: dict[str, str]) -> Table:
    """Per objection category: objections raised in scope, and the assets tagged to
    answer it (a category with objections and no asset is a gap in the library)."""
    raised = dict(
        session.execute(
            select(ObjectionRow.category_code, func.count())
            .join(LeadFacts, LeadFacts.lead_id == ObjectionRow.lead_id)
            .where(
                all_of(
                    row_conditions(
                        flt,
                        at=ObjectionRow.created_at,
                        rep_id=ObjectionRow.rep_id,
                        campaign_id=objection_campaign,
                        of=LeadFacts,
                    )
                )
            )
            .group_by(ObjectionRow.category_code)
        )
        .tuples()
        .all()
    )
    assets: dict[str, list[str]] = {}
    for title, tags in session.execute(
        select(Collateral.title, Collateral.tags)
        .where(Collateral.retired.is_(False))
        .order_by(Collateral.title)
    ):
        for tag in tags if isinstance(tags, list) else []:
            assets.setdefault(str(tag), []).append(title)
    codes = sorted(set(labels) | set(raised) | set(assets), key=lambda c: (-raised.get(c, 0), c))
    rows: list[tuple[Cell, ...]] = [
        (
            labels.get(code, code),
            code,
            raised.get(code, 0),
            len(assets.get(code, [])),
            ", ".join(assets.get(code, [])),
        )
        for code in codes
    ]
    return Table(
        "answers_by_category",
        "Which assets answer which objections",
        (
            Column("category", "Objection category"),
            Column("code", "Code"),
            Column("objections", "Objections in scope", "int"),
            Column("assets", "Assets tagged to answer it", "int"),
            Column("titles", "Those assets"),
        ),
        tuple(rows),
        note="Tags are marketing's: an asset tagged with a category's code answers it. "
        "Categories with objections and no asset are gaps in the library.",
    )


__all__ = ["collateral"]
