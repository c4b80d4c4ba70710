"""Collateral and the filter options on the hand-built world, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session
from tests.support.report_world import WORLD

from repdesk.domain.errors import ValidationError
from repdesk.hub.reports import Option, ReportFilter, collateral, filter_options


def test_shown_and_sent_per_asset_and_campaign(report_session: Session) -> None:
    section = collateral(report_session)
    usage = {
        r["asset"]: (r["shown"], r["sent"], r["leads"], r["answers"], r["status"])
        for r in section.table("use_by_asset").as_dicts()
    }
    assert usage == {
        "Pricing sheet": (2, 2, 3, "Price", ""),
        "Security whitepaper": (1, 0, 1, "Security, gdpr", ""),  # an unknown tag as is
        "Case study": (0, 0, 0, "", ""),
    }  # the retired brochure was never used: not listed
    assert section.table("use_by_asset_and_campaign").rows == (
        ("Pricing sheet", "Spring webinar", 1, 2),
        ("Pricing sheet", "Search ads", 1, 0),
        ("Security whitepaper", "Search ads", 1, 0),
    )
    assert [r[0] for r in section.table("never_used").rows] == ["Case study"]


def test_acceptance_with_and_without_each_asset(report_session: Session) -> None:
    rows = {
        r["asset"]: (
            r["leads_used"],
            r["judged_used"],
            r["acceptance_used"],
            r["judged_not_used"],
            r["acceptance_not_used"],
        )
        for r in collateral(report_session).table("acceptance_by_asset").as_dicts()
    }
    # 7 leads in scope have a verdict, 3 accepted (L1, L5, L8).
    approx = pytest.approx
    assert rows == {
        "Pricing sheet": (3, 3, approx(1 / 3), 4, approx(2 / 4)),  # L1 acc, L2, L6 returned
        "Security whitepaper": (1, 1, 1.0, 6, approx(2 / 6)),  # L5 accepted
        "Case study": (0, 0, None, 7, approx(3 / 7)),
    }


def test_which_assets_answer_which_objections(report_session: Session) -> None:
    rows = {
        r["code"]: (r["objections"], r["assets"], r["titles"])
        for r in collateral(report_session).table("answers_by_category").as_dicts()
    }
    assert rows == {
        "price": (4, 1, "Pricing sheet"),  # the retired brochure no longer answers
        "security": (1, 1, "Security whitepaper"),
        "competitor": (1, 0, ""),  # a gap in the library
        "timing": (0, 0, ""),
        "gdpr": (0, 1, "Security whitepaper"),
    }


def test_filters_narrow_collateral(report_session: Session) -> None:
    ben = collateral(report_session, ReportFilter(rep_ids=frozenset({WORLD.ben})))
    usage = {r["asset"]: (r["shown"], r["sent"]) for r in ben.table("use_by_asset").as_dicts()}
    assert usage == {"Pricing sheet": (1, 0), "Security whitepaper": (0, 0), "Case study": (0, 0)}
    assert [r[0] for r in ben.table("never_used").rows] == ["Case study", "Security whitepaper"]
    monday = ReportFilter(start=date(2026, 3, 2), end=date(2026, 3, 2))
    usage = {
        r["asset"]: (r["shown"], r["sent"])
        for r in collateral(report_session, monday).table("use_by_asset").as_dicts()
    }
    assert usage["Pricing sheet"] == (1, 2)
    accepted = {
        r["asset"]: (r["judged_used"], r["judged_not_used"])
        for r in collateral(report_session, monday).table("acceptance_by_asset").as_dicts()
    }
    assert accepted["Pricing sheet"] == (2, 0)  # L1 and L2 were assigned that Monday


def test_an_empty_hub_gives_empty_tables(empty_report_session: Session) -> None:
    section = collateral(empty_report_session)
    assert all(t.rows == () for t in section.tables)


def test_filter_options(report_session: Session) -> None:
    options = filter_options(report_session)
    assert options.campaigns == (
        Option(WORLD.autumn, "Autumn webinar (Webinar)"),
        Option(WORLD.search, "Search ads (Paid search)"),
        Option(WORLD.webinar, "Spring webinar (Webinar)"),
    )
    assert options.sources == (Option("Paid search", "Paid search"), Option("Webinar", "Webinar"))
    assert [o.label for o in options.reps] == ["Ann", "Ben"]


def test_a_backwards_date_range_is_refused() -> None:
    with pytest.raises(ValidationError):
        ReportFilter(start=date(2026, 3, 2), end=date(2026, 3, 1))
    assert ReportFilter(rep_ids=["a"]).rep_ids == frozenset({"a"})  # type: ignore[arg-type]
