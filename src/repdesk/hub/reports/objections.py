"""Objections: what prospects push back on, by ISO week and category, campaign,
competitor and the collateral involved, and their own words as a paged feed."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    CompoundSelect,
    Select,
    and_,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from repdesk.domain.errors import ValidationError
from repdesk.hub.db.models import (
    Campaign,
    Collateral,
    Lead,
    LeadFacts,
    ObjectionCategory,
    ObjectionRow,
    Rep,
)
from repdesk.hub.reports.filters import ReportFilter
from repdesk.hub.reports.scope import NO_CAMPAIGN, all_of, row_conditions
from repdesk.hub.reports.shapes import Chart, Column, Section, Table, chart_from_table
from repdesk.hub.reports.sql import iso_week_start

FEED_PAGE = 50
MAX_FEED_PAGE = 1000

NOTES = (
    "Objections counted by when the rep logged them (created_at); the date range applies "
    "to that. Rep = who logged it.",
    "Campaign = the campaign the rep filed the objection under, else the lead's source "
    "campaign. Lead source = the channel of the lead's source campaign.",
    "Weeks are ISO weeks (Monday to Sunday, UTC).",
)

objection_campaign: ColumnElement[Any] = func.coalesce(
    ObjectionRow.campaign_id, LeadFacts.source_campaign_id
)
"""The campaign an objection counts under (see NOTES), with `lead_facts` joined (its copy
of the lead's source campaign is one covering-index lookup away)."""

_WITH_FACTS = (LeadFacts, LeadFacts.lead_id == ObjectionRow.lead_id)


def _conditions(
    flt: ReportFilter, *, category: str | None = None, competitor: str | None = None
) -> ColumnElement[bool]:
    conditions = row_conditions(
        flt,
        at=ObjectionRow.created_at,
        rep_id=ObjectionRow.rep_id,
        campaign_id=objection_campaign,
        of=LeadFacts,
    )
    if category:
        conditions.append(ObjectionRow.category_code == category)
    if competitor:
        conditions.append(ObjectionRow.competitor == competitor)
    return all_of(conditions)


def _category_label() -> ColumnElement[str]:
    return func.coalesce(ObjectionCategory.label, ObjectionRow.category_code)


def _scoped(flt: ReportFilter) -> CTE:
    """The objections in scope, once: (week, category, campaign_id, competitor,
    collateral_id), each aggregate below reads this one pass. A campaign filter is two
    index-served halves: objections filed under a chosen campaign
    (`ix_objections_campaign`), and those filed under none whose lead came from one
    (`lead_facts` by source campaign, then the lead's objections): the same rows as
    `coalesce(objection's campaign, lead's) IN (...)`, which no index serves."""
    columns = (
        iso_week_start(ObjectionRow.created_at).label("week"),
        ObjectionRow.category_code.label("category"),
        objection_campaign.label("campaign_id"),
        ObjectionRow.competitor.label("competitor"),
        ObjectionRow.collateral_id.label("collateral_id"),
    )
    if not flt.campaign_ids:
        scoped: Select[Any] | CompoundSelect[Any] = (
            select(*columns).join(*_WITH_FACTS).where(_conditions(flt))
        )
    else:
        ids = sorted(flt.campaign_ids)
        rest = _conditions(replace(flt, campaign_ids=frozenset()))
        filed = select(*columns).join(*_WITH_FACTS).where(ObjectionRow.campaign_id.in_(ids), rest)
        inherited = (
            select(*columns)
            .select_from(LeadFacts)
            .join(ObjectionRow, ObjectionRow.lead_id == LeadFacts.lead_id)
            .where(LeadFacts.source_campaign_id.in_(ids), ObjectionRow.campaign_id.is_(None), rest)
        )
        scoped = union_all(filed, inherited)
    return scoped.cte("scoped").prefix_with("MATERIALIZED")


def _aggregates(session: Session, flt: ReportFilter) -> dict[str, list[tuple[Any, ...]]]:
    """Every count the section shows, from one pass over the objections in scope, by part:
    "w" (week, category, n), "t" (category, label, n; most frequent first, ties by code),
    and (label, n) most frequent first, ties by label, for "c" (category), "m" (campaign),
    "x" (competitor) and "l" (collateral)."""
    s = _scoped(flt)
    n = func.count().label("n")

    def part(code: str) -> Any:
        return literal(code).label("part")

    category_label = func.coalesce(func.max(ObjectionCategory.label), s.c.category)
    with_category = (ObjectionCategory, ObjectionCategory.code == s.c.category)
    parts = union_all(
        select(
            part("w"),
            s.c.week,
            s.c.category.label("key"),
            null().label("label"),
            null().label("sort"),
            n,
        ).group_by(s.c.week, s.c.category),
        select(part("t"), null(), s.c.category, category_label, s.c.category, n)
        .select_from(s)
        .outerjoin(*with_category)
        .group_by(s.c.category),
        select(part("c"), null(), s.c.category, category_label, category_label, n)
        .select_from(s)
        .outerjoin(*with_category)
        .group_by(s.c.category),
        select(
            part("m"),
            null(),
            s.c.campaign_id,
            func.coalesce(func.max(Campaign.name), literal(NO_CAMPAIGN)),
            func.coalesce(func.max(Campaign.name), literal(NO_CAMPAIGN)),
            n,
        )
        .select_from(s)
        .outerjoin(Campaign, Campaign.id == s.c.campaign_id)
        .group_by(s.c.campaign_id),
        select(part("x"), null(), s.c.competitor, s.c.competitor, s.c.competitor, n)
        .where(s.c.competitor != "")
        .group_by(s.c.competitor),
        select(
            part("l"),
            null(),
            s.c.collateral_id,
            func.coalesce(func.max(Collateral.title), s.c.collateral_id),
            func.coalesce(func.max(Collateral.title), s.c.collateral_id),
            n,
        )
        .select_from(s)
        .outerjoin(Collateral, Collateral.id == s.c.collateral_id)
        .where(s.c.collateral_id.is_not(None))
        .group_by(s.c.collateral_id),
    ).subquery("parts")
    rows = session.execute(
        select(parts).order_by(parts.c.part, parts.c.n.desc(), parts.c.sort)
    ).all()
    result: dict[str, list[tuple[Any, ...]]] = {code: [] for code in "wtcmxl"}
    for code, week, key, label, _sort, count in rows:
        if code == "w":
            result[code].append((week, key, count))
        elif code == "t":
            result[code].append((key, label, count))
        else:
            result[code].append((label, count))
    return result  # fmt: skip


def weekly_by_category(session: Session, flt: ReportFilter) -> Table:
    """One row per ISO week (gaps filled with zeros), one column per category."""
    return _weekly(_aggregates(session, flt))


def _weekly(parts: dict[str, list[tuple[Any, ...]]]) -> Table:
    rows = parts["w"]
    totals = parts["t"]
    codes = [code for code, _label, _n in totals]
    columns = (
        Column("week_start", "Week starting", "date"),
        Column("week", "ISO week"),
        *(Column(code, label, "int") for code, label, _n in totals),
    )
    counts = {(_as_date(w), code): n for w, code, n in rows}
    weeks = _week_range([_as_date(w) for w, _c, _n in rows])
    table_rows = tuple(
        (w, _iso_week(w), *(counts.get((w, code), 0) for code in codes)) for w in weeks
    )
    return Table(
        "weekly_by_category",
        "Objections per week by category",
        columns,
        table_rows,
        note="Categories ordered by how often they came up; weeks with none show zeros.",
    )


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _week_range(starts: list[date]) -> list[date]:
    if not starts:
        return []
    first, last = min(starts), max(starts)
    return [first + timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]


def _iso_week(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def objections(session: Session, flt: ReportFilter | None = None) -> Section:
    """The objections section (with the feed's first page)."""
    flt = flt or ReportFilter()
    parts = _aggregates(session, flt)
    weekly = _weekly(parts)
    count_column = Column("objections", "Objections", "int")
    by_campaign = Table(
        "by_campaign",
        "Objections by campaign",
        (Column("campaign", "Campaign"), count_column),
        tuple(parts["m"]),
    )
    by_category = Table(
        "by_category",
        "Objections by category",
        (Column("category", "Category"), count_column),
        tuple(parts["c"]),
    )
    by_competitor = Table(
        "by_competitor",
        "Objections by competitor",
        (Column("competitor", "Competitor named"), count_column),
        tuple(parts["x"]),
        note="Only objections that name a competitor.",
    )
    by_collateral = Table(
        "by_collateral",
        "Objections by the collateral involved",
        (Column("collateral", "Collateral"), count_column),
        tuple(parts["l"]),
        note="Only objections the rep tied to a piece of collateral.",
    )
    feed = objection_feed(session, flt)
    charts: list[Chart] = []
    if weekly.rows:
        charts.append(
            chart_from_table(
                weekly,
                "weekly_by_category",
                "Objections per week",
                "stacked",
                label_column="week",
                value_columns=tuple(c.key for c in weekly.columns[2:]),
            )
        )
    charts.append(
        chart_from_table(
            by_category,
            "by_category",
            "Objections by category",
            "bar",
            label_column="category",
            value_columns=("objections",),
        )
    )
    return Section(
        "objections",
        "Objections",
        (weekly, by_category, by_campaign, by_competitor, by_collateral, feed.table),
        tuple(charts),
        NOTES,
    )


# --- the prospects' own words ---------------------------------------------------------

FEED_COLUMNS = (
    Column("created_at", "Logged", "datetime"),
    Column("category", "Category"),
    Column("verbatim", "In the prospect's words"),
    Column("severity", "Severity", "int"),
    Column("competitor", "Competitor"),
    Column("campaign", "Campaign"),
    Column("collateral", "Collateral"),
    Column("rep", "Rep"),
    Column("lead", "Lead"),
    Column("company", "Company"),
    Column("lead_id", "Lead id"),
    Column("objection_id", "Objection id"),
)


@dataclass(frozen=True, slots=True)
class FeedPage:
    table: Table
    next_cursor: str | None
    """Pass as `after` for the next (older) page; None on the last page."""


def _cursor(at: datetime, objection_id: str) -> str:
    return f"{at.isoformat()}|{objection_id}"


def _parse_cursor(cursor: str) -> tuple[datetime, str]:
    at, sep, objection_id = cursor.partition("|")
    try:
        parsed = datetime.fromisoformat(at)
    except ValueError:
        parsed = None
    if not sep or parsed is None or parsed.tzinfo is None:
        raise ValidationError("That page of objections no longer exists; start again.")
    return parsed, objection_id


def objection_feed(
    session: Session,
    flt: ReportFilter | None = None,
    *,
    category: str | None = None,
    competitor: str | None = None,
    limit: int = FEED_PAGE,
    after: str | None = None,
) -> FeedPage:
    """The prospects' words, newest first, `limit` at a time (keyset paging: `after` is the
    previous page's `next_cursor`). Narrowed by the filter and, optionally, one category
    code and one competitor. Text is returned verbatim; escaping is the page's job."""
    flt = flt or ReportFilter()
    if not 1 <= limit <= MAX_FEED_PAGE:
        raise ValidationError(f"A page holds 1 to {MAX_FEED_PAGE} objections (got {limit}).")
    conditions = _conditions(flt, category=category, competitor=competitor)
    if after is not None:
        at, objection_id = _parse_cursor(after)
        conditions = and_(
            conditions,
            or_(
                ObjectionRow.created_at < at,
                and_(ObjectionRow.created_at == at, ObjectionRow.id < objection_id),
            ),
        )
    name = func.trim(Lead.first_name + literal(" ") + Lead.last_name)
    rows = session.execute(
        select(
            ObjectionRow.created_at,
            _category_label(),
            ObjectionRow.verbatim,
            ObjectionRow.severity,
            ObjectionRow.competitor,
            func.coalesce(Campaign.name, NO_CAMPAIGN),
            func.coalesce(Collateral.title, ObjectionRow.collateral_id, ""),
            func.coalesce(func.nullif(Rep.name, ""), Rep.email, ""),
            func.coalesce(func.nullif(name, ""), Lead.email),
            Lead.company,
            Lead.id,
            ObjectionRow.id,
        )
        .join(Lead, Lead.id == ObjectionRow.lead_id)
        .join(*_WITH_FACTS)
        .outerjoin(ObjectionCategory, ObjectionCategory.code == ObjectionRow.category_code)
        .outerjoin(Collateral, Collateral.id == ObjectionRow.collateral_id)
        .outerjoin(Campaign, Campaign.id == objection_campaign)
        .outerjoin(Rep, Rep.id == ObjectionRow.rep_id)
        .where(conditions)
        .order_by(ObjectionRow.created_at.desc(), ObjectionRow.id.desc())
        .limit(limit + 1)
    ).all()
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = _cursor(rows[-1][0], rows[-1][-1]) if more else None
    table = Table(
        "feed",
        "In the prospects' words",
        FEED_COLUMNS,
        tuple(tuple(r) for r in rows),
        note="Newest first.",
    )
    return FeedPage(table, next_cursor)


__all__ = [
    "FEED_COLUMNS",
    "FEED_PAGE",
    "FeedPage",
    "objection_campaign",
    "objection_feed",
    "objections",
    "weekly_by_category",
]
