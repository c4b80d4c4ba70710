"""Objections: what prospects push back on, by ISO week and category, campaign,
competitor and the collateral involved, and their own words as a paged feed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, literal, or_, select
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
from repdesk.hub.reports.shapes import Cell, Chart, Column, Section, Table, chart_from_table
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


def weekly_by_category(session: Session, flt: ReportFilter) -> Table:
    """One row per ISO week (gaps filled with zeros), one column per category."""
    week = iso_week_start(ObjectionRow.created_at)
    rows = session.execute(
        select(week.label("week"), ObjectionRow.category_code, func.count())
        .join(*_WITH_FACTS)
        .where(_conditions(flt))
        .group_by(week, ObjectionRow.category_code)
    ).all()
    totals = session.execute(
        select(ObjectionRow.category_code, _category_label(), func.count())
        .join(*_WITH_FACTS)
        .outerjoin(ObjectionCategory, ObjectionCategory.code == ObjectionRow.category_code)
        .where(_conditions(flt))
        .group_by(ObjectionRow.category_code, ObjectionCategory.label)
        .order_by(func.count().desc(), ObjectionRow.category_code)
    ).all()
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


def _count_by(
    session: Session,
    flt: ReportFilter,
    key: Any,
    label: Any,
    *,
    where: Any = None,
    outerjoin: tuple[Any, Any] | None = None,
) -> list[tuple[Cell, ...]]:
    """(label, objections) per `key`, most frequent first; `label` is an aggregate."""
    query = (
        select(label, func.count().label("objections")).select_from(ObjectionRow).join(*_WITH_FACTS)
    )
    if outerjoin is not None:
        query = query.outerjoin(*outerjoin)
    query = query.where(_conditions(flt)).group_by(key).order_by(func.count().desc(), label)
    if where is not None:
        query = query.where(where)
    return [tuple(r) for r in session.execute(query).all()]


def objections(session: Session, flt: ReportFilter | None = None) -> Section:
    """The objections section (with the feed's first page)."""
    flt = flt or ReportFilter()
    weekly = weekly_by_category(session, flt)
    count_column = Column("objections", "Objections", "int")
    by_campaign = Table(
        "by_campaign",
        "Objections by campaign",
        (Column("campaign", "Campaign"), count_column),
        tuple(
            _count_by(
                session,
                flt,
                objection_campaign,
                func.coalesce(func.max(Campaign.name), literal(NO_CAMPAIGN)),
                outerjoin=(Campaign, Campaign.id == objection_campaign),
            )
        ),
    )
    by_category = Table(
        "by_category",
        "Objections by category",
        (Column("category", "Category"), count_column),
        tuple(
            _count_by(
                session,
                flt,
                ObjectionRow.category_code,
                func.coalesce(func.max(ObjectionCategory.label), ObjectionRow.category_code),
                outerjoin=(
                    ObjectionCategory,
                    ObjectionCategory.code == ObjectionRow.category_code,
                ),
            )
        ),
    )
    by_competitor = Table(
        "by_competitor",
        "Objections by competitor",
        (Column("competitor", "Competitor named"), count_column),
        tuple(
            _count_by(
                session,
                flt,
                ObjectionRow.competitor,
                ObjectionRow.competitor,
                where=ObjectionRow.competitor != "",
            )
        ),
        note="Only objections that name a competitor.",
    )
    by_collateral = Table(
        "by_collateral",
        "Objections by the collateral involved",
        (Column("collateral", "Collateral"), count_column),
        tuple(
            _count_by(
                session,
                flt,
                ObjectionRow.collateral_id,
                func.coalesce(func.max(Collateral.title), ObjectionRow.collateral_id),
                where=ObjectionRow.collateral_id.is_not(None),
                outerjoin=(Collateral, Collateral.id == ObjectionRow.collateral_id),
            )
        ),
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
