"""Lead quality on the hand-built world (tests/support/report_world.py), on SQLite and
PostgreSQL: funnel per campaign and per source, latest verdict wins, reasons ranked."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session
from tests.support.report_world import WORLD

from repdesk.hub.reports import ReportFilter, lead_quality

FUNNEL = ("assigned", "worked", "accepted", "returned", "disqualified", "no_verdict")


def _funnel(
    table_rows: list[dict[str, object]], label_key: str
) -> dict[object, tuple[object, ...]]:
    return {r[label_key]: tuple(r[k] for k in FUNNEL) for r in table_rows}


def test_funnel_per_campaign_and_source(report_session: Session) -> None:
    section = lead_quality(report_session)
    by_campaign = section.table("by_campaign").as_dicts()
    # L9 (never assigned) and L10 (deleted) are out; L11 was worked by ben before it moved.
    assert _funnel(by_campaign, "campaign") == {
        "Autumn webinar": (1, 1, 0, 0, 1, 0),
        "Search ads": (3, 3, 1, 1, 0, 1),
        "Spring webinar": (5, 4, 1, 1, 1, 2),
        "(no campaign)": (1, 1, 1, 0, 0, 0),
    }
    assert [r["campaign"] for r in by_campaign][-1] == "(no campaign)"
    rates = {r["campaign"]: r["acceptance"] for r in by_campaign}
    assert rates == {
        "Autumn webinar": 0.0,
        "Search ads": pytest.approx(1 / 2),
        "Spring webinar": pytest.approx(1 / 3),
        "(no campaign)": 1.0,
    }
    by_source = section.table("by_source").as_dicts()
    assert _funnel(by_source, "source") == {
        "Paid search": (3, 3, 1, 1, 0, 1),
        "Webinar": (6, 5, 1, 1, 2, 2),
        "(no source)": (1, 1, 1, 0, 0, 0),
    }
    assert {r["source"]: r["acceptance"] for r in by_source}["Webinar"] == pytest.approx(0.25)
    label = section.table("by_campaign").columns[-1].label
    assert "accepted ÷ leads with a verdict" in label


def test_reasons_count_only_the_latest_verdict(report_session: Session) -> None:
    section = lead_quality(report_session)
    # L2's earlier "student" disqualification was superseded by its return to nurture;
    # L9 (unassigned) and L10 (deleted) do not count.
    assert section.table("disqualified_reasons").rows == (("student", 2),)
    assert section.table("returned_reasons").rows == (("bad timing", 1), ("no budget", 1))


def test_charts_are_drawn_from_the_tables(report_session: Session) -> None:
    section = lead_quality(report_session)
    chart = section.chart("verdicts_by_campaign")
    table = section.table(chart.table_key)
    assert chart.labels == tuple(table.column("campaign"))
    assert [s.values for s in chart.series][0] == tuple(table.column("accepted"))


def test_filters_narrow_the_leads(report_session: Session) -> None:
    by_ben = lead_quality(report_session, ReportFilter(rep_ids=frozenset({WORLD.ben})))
    assert _funnel(by_ben.table("by_campaign").as_dicts(), "campaign") == {
        "Search ads": (2, 2, 0, 1, 0, 1),
        "Spring webinar": (2, 1, 0, 0, 1, 1),
    }
    monday = date(2026, 3, 2)
    first_day = lead_quality(report_session, ReportFilter(start=monday, end=monday))
    assert _funnel(first_day.table("by_campaign").as_dicts(), "campaign") == {
        "Spring webinar": (2, 2, 1, 1, 0, 0)
    }
    paid = lead_quality(report_session, ReportFilter(sources=frozenset({"Paid search"})))
    assert [r["source"] for r in paid.table("by_source").as_dicts()] == ["Paid search"]
    autumn = lead_quality(report_session, ReportFilter(campaign_ids=frozenset({WORLD.autumn})))
    assert autumn.table("disqualified_reasons").rows == (("student", 1),)
    assert autumn.table("returned_reasons").rows == ()


def test_an_empty_hub_gives_empty_tables(empty_report_session: Session) -> None:
    section = lead_quality(empty_report_session)
    assert all(t.rows == () for t in section.tables)
    assert section.notes
