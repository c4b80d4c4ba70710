"""Objections on the hand-built world, on SQLite and PostgreSQL: ISO weeks, campaign /
competitor / collateral counts, and the verbatim feed with keyset paging."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session
from tests.support.report_world import SCRIPT_WORDS, WORLD

from repdesk.domain.errors import ValidationError
from repdesk.hub.reports import ReportFilter, objection_feed, objections


def test_counts_by_iso_week_and_category(report_session: Session) -> None:
    section = objections(report_session)
    weekly = section.table("weekly_by_category")
    assert [c.key for c in weekly.columns] == [
        "week_start", "week", "price", "competitor", "security",
    ]  # fmt: skip
    assert weekly.rows == (
        (date(2026, 3, 2), "2026-W10", 2, 0, 1),
        (date(2026, 3, 9), "2026-W11", 1, 1, 0),
        (date(2026, 3, 16), "2026-W12", 1, 0, 0),
    )
    chart = section.chart("weekly_by_category")
    assert chart.labels == ("2026-W10", "2026-W11", "2026-W12")
    assert [(s.name, s.values) for s in chart.series] == [
        ("Price", (2, 1, 1)),
        ("Competitor", (0, 1, 0)),
        ("Security", (1, 0, 0)),
    ]


def test_counts_by_category_campaign_competitor_and_collateral(report_session: Session) -> None:
    section = objections(report_session)
    assert section.table("by_category").rows == (
        ("Price", 4), ("Competitor", 1), ("Security", 1),
    )  # fmt: skip
    # L6's objection was filed under the Spring webinar although the lead is from search.
    assert section.table("by_campaign").rows == (
        ("Spring webinar", 3), ("Search ads", 2), ("(no campaign)", 1),
    )  # fmt: skip
    assert section.table("by_competitor").rows == (("Acme", 2), ("Globex", 1))
    assert section.table("by_collateral").rows == (
        ("Pricing sheet", 1), ("Security whitepaper", 1),
    )  # fmt: skip


def test_feed_newest_first_with_words_verbatim(report_session: Session) -> None:
    feed = objections(report_session).table("feed").as_dicts()
    assert [r["objection_id"] for r in feed] == [f"obj-{i}" for i in (6, 5, 4, 3, 2, 1)]
    script = next(r for r in feed if r["objection_id"] == "obj-2")
    assert script["verbatim"] == SCRIPT_WORDS  # escaping is the page's job
    assert (script["category"], script["competitor"], script["rep"]) == ("Price", "Acme", "Ann")
    assert script["campaign"] == "Spring webinar" and script["lead"] == "Pat L2"


def test_feed_pages_and_filters(report_session: Session) -> None:
    first = objection_feed(report_session, limit=4)
    assert [r[-1] for r in first.table.rows] == ["obj-6", "obj-5", "obj-4", "obj-3"]
    assert first.next_cursor is not None
    second = objection_feed(report_session, limit=4, after=first.next_cursor)
    assert [r[-1] for r in second.table.rows] == ["obj-2", "obj-1"]
    assert second.next_cursor is None
    price = objection_feed(report_session, category="price", limit=2)
    assert [r[-1] for r in price.table.rows] == ["obj-6", "obj-5"]
    more = objection_feed(report_session, category="price", limit=2, after=price.next_cursor)
    assert [r[-1] for r in more.table.rows] == ["obj-2", "obj-1"]
    acme = objection_feed(report_session, competitor="Acme")
    assert [r[-1] for r in acme.table.rows] == ["obj-4", "obj-2"]
    webinar = objection_feed(report_session, ReportFilter(campaign_ids=frozenset({WORLD.webinar})))
    assert [r[-1] for r in webinar.table.rows] == ["obj-4", "obj-2", "obj-1"]
    with pytest.raises(ValidationError):
        objection_feed(report_session, after="not a cursor")


def test_filters_narrow_the_counts(report_session: Session) -> None:
    week = objections(report_session, ReportFilter(start=date(2026, 3, 9), end=date(2026, 3, 15)))
    assert week.table("weekly_by_category").rows == ((date(2026, 3, 9), "2026-W11", 1, 1),)
    ben = objections(report_session, ReportFilter(rep_ids=frozenset({WORLD.ben})))
    assert ben.table("by_competitor").rows == (("Acme", 1), ("Globex", 1))
    # Lead source is the lead's: L6's objection (filed under the webinar) is paid search.
    paid = objections(report_session, ReportFilter(sources=frozenset({"Paid search"})))
    assert paid.table("by_campaign").rows == (("Search ads", 2), ("Spring webinar", 1))


def test_an_empty_hub_gives_empty_tables(empty_report_session: Session) -> None:
    section = objections(empty_report_session)
    assert all(t.rows == () for t in section.tables)
    assert objection_feed(empty_report_session).next_cursor is None
