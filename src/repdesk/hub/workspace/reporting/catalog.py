"""The five report pages: address, title, the `hub.reports` section each shows, the
tables a page shows in its own block instead of generically, and the tables whose CSV
holds more rows than the page (the section lists only the first ones)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from repdesk.hub.reports import (
    ReportFilter,
    Section,
    Table,
    collateral,
    lead_quality,
    objection_feed,
    objections,
    over_sla_leads,
    qualification,
    speed_to_lead,
)
from repdesk.hub.reports.objections import MAX_FEED_PAGE
from repdesk.hub.workspace.context import PREFIX
from repdesk.hub.workspace.reporting.feed_options import read_feed_choice

REPORTS_PATH = f"{PREFIX}/reports"
CSV_ROW_LIMIT = 200_000
"""The most rows a paged table's CSV holds."""


Params = Mapping[str, str]
"""The request's query (a page's own narrowing beyond the filter bar)."""


def speed_without_list(session: Session, flt: ReportFilter) -> Section:
    """Speed to lead without its over-SLA table (the page lists it a page at a time)."""
    return speed_to_lead(session, flt, with_over_sla=False)


def all_over_sla(session: Session, flt: ReportFilter, params: Params) -> Table:
    del params  # the list has no narrowing of its own
    return over_sla_leads(session, flt, limit=CSV_ROW_LIMIT)


def whole_feed(session: Session, flt: ReportFilter, params: Params) -> Table:
    """Every objection in scope (and of the feed's category and competitor), newest
    first (keyset pages joined), up to the limit."""
    choice = read_feed_choice(params)
    narrowed = {"category": choice.category or None, "competitor": choice.competitor or None}
    page = objection_feed(session, flt, limit=MAX_FEED_PAGE, **narrowed)
    rows = list(page.table.rows)
    while page.next_cursor is not None and len(rows) < CSV_ROW_LIMIT:
        page = objection_feed(session, flt, limit=MAX_FEED_PAGE, after=page.next_cursor, **narrowed)
        rows.extend(page.table.rows)
    return Table(page.table.key, page.table.title, page.table.columns, tuple(rows))


@dataclass(frozen=True, slots=True)
class ReportPage:
    slug: str
    title: str
    summary: str
    """One line: the lede under the title and the Overview's card."""
    build: Callable[[Session, ReportFilter], Section]
    own_blocks: frozenset[str] = frozenset()
    """Tables the page shows in a block of its own (not in the generic list)."""
    full_tables: Mapping[str, Callable[[Session, ReportFilter, Params], Table]] = field(
        default_factory=dict
    )
    """Tables whose download holds every row, not only those the section lists."""

    @property
    def path(self) -> str:
        return f"{REPORTS_PATH}/{self.slug}"

    def csv_path(self, table_key: str) -> str:
        return f"{self.path}/{table_key}.csv"

    def csv_table(
        self, session: Session, flt: ReportFilter, table_key: str, params: Params
    ) -> Table | None:
        """The table `table_key` for a download (None: the section has no such table)."""
        full = self.full_tables.get(table_key)
        if full is not None:
            return full(session, flt, params)
        section = self.build(session, flt)
        return next((t for t in section.tables if t.key == table_key), None)


PAGES: tuple[ReportPage, ...] = (
    ReportPage(
        "lead-quality",
        "Lead quality",
        "What became of the leads handed to sales, by campaign and lead source, and why.",
        lead_quality,
    ),
    ReportPage(
        "speed-to-lead",
        "Speed to lead",
        "Hours from assignment to first call, per rep and campaign; the leads over the SLA.",
        speed_without_list,
        own_blocks=frozenset({"over_sla"}),
        full_tables={"over_sla": all_over_sla},
    ),
    ReportPage(
        "objections",
        "Objections",
        "What prospects push back on, week by week, and their own words.",
        objections,
        own_blocks=frozenset({"feed"}),
        full_tables={"feed": whole_feed},
    ),
    ReportPage(
        "qualification",
        "Qualification",
        "How many leads are sales-ready under the rubric, and what blocks the rest.",
        qualification,
    ),
    ReportPage(
        "collateral",
        "Collateral",
        "Which assets reps use, how their leads fare, and the gaps in the library.",
        collateral,
    ),
)


def page_by_slug(slug: str) -> ReportPage | None:
    return next((p for p in PAGES if p.slug == slug), None)


def page_named(slug: str) -> ReportPage:
    """The page `slug` (a KeyError for a slug not in `PAGES`: a programming mistake)."""
    page = page_by_slug(slug)
    if page is None:
        raise KeyError(slug)
    return page


__all__ = [
    "CSV_ROW_LIMIT",
    "PAGES",
    "REPORTS_PATH",
    "ReportPage",
    "all_over_sla",
    "page_by_slug",
    "page_named",
    "whole_feed",
]
