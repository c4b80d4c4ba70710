"""Speed to lead on the hand-built world, on SQLite and PostgreSQL: medians and 90th
percentiles by linear interpolation, the over-SLA list, filters, an empty hub."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Float, func, literal, select, union_all
from sqlalchemy.orm import Session
from tests.support.report_world import NOW, WORLD

from repdesk.hub.admin.settings import set_sla_hours
from repdesk.hub.reports import ReportFilter, over_sla_leads, speed_to_lead
from repdesk.hub.reports.sql import percentile, rank_columns

STATS = ("assigned", "called", "not_called", "median_hours", "p90_hours", "over_sla")


def _stats(rows: list[dict[str, object]], key: str) -> dict[object, tuple[object, ...]]:
    return {r[key]: tuple(r[k] for k in STATS) for r in rows}


def test_median_and_p90_per_rep_and_campaign(report_session: Session) -> None:
    section = speed_to_lead(report_session, now=NOW, sla=24)
    approx = pytest.approx
    # ann: 1, 2, 3, 4, 6 hours (L11 not called since its reassignment); ben: 10, 30, 50 (L4
    # never called). p90 of 1..6: h = 1 + 0.9 * 4 = 4.6 -> 4 + 0.6 * (6 - 4) = 5.2.
    assert _stats(section.table("by_rep").as_dicts(), "rep") == {
        "Ann": (6, 5, 1, approx(3.0), approx(5.2), 1),
        "Ben": (4, 3, 1, approx(30.0), approx(46.0), 3),
    }
    assert _stats(section.table("by_campaign").as_dicts(), "campaign") == {
        "Autumn webinar": (1, 1, 0, approx(6.0), approx(6.0), 0),
        "Search ads": (3, 3, 0, approx(10.0), approx(42.0), 1),
        "Spring webinar": (5, 3, 2, approx(3.0), approx(24.6), 3),
        "(no campaign)": (1, 1, 0, approx(4.0), approx(4.0), 0),
    }


def test_over_sla_list_longest_wait_first(report_session: Session) -> None:
    table = speed_to_lead(report_session, now=NOW, sla=24).table("over_sla")
    rows = table.as_dicts()
    assert [(r["lead_id"], r["status"]) for r in rows] == [
        ("L4", "not called"),  # assigned T+1d, waiting 19 days
        ("L11", "not called"),  # reassigned T+9d; ben's earlier call does not count
        ("L7", "called late"),
        ("L3", "called late"),
    ]
    assert [r["hours"] for r in rows] == [
        pytest.approx(456.0),
        pytest.approx(264.0),
        pytest.approx(50.0),
        pytest.approx(30.0),
    ]
    assert rows[0]["rep"] == "Ben" and rows[0]["campaign"] == "Spring webinar"
    assert rows[0]["first_call_at"] is None
    assert rows[2]["first_call_at"] == datetime(2026, 3, 12, 11, 0, tzinfo=UTC)
    assert rows[0]["assigned_at"] == datetime(2026, 3, 3, 9, 0, tzinfo=UTC)


def test_the_sla_comes_from_the_hub_setting(report_session: Session) -> None:
    set_sla_hours(report_session, 40)
    section = speed_to_lead(report_session, now=NOW)
    assert [r["lead_id"] for r in section.table("over_sla").as_dicts()] == ["L4", "L11", "L7"]
    assert "40 hours" in " ".join(section.notes)
    report_session.rollback()


def test_paging_the_over_sla_list(report_session: Session) -> None:
    first = over_sla_leads(report_session, now=NOW, sla=24, limit=3)
    rest = over_sla_leads(report_session, now=NOW, sla=24, limit=3, offset=3)
    assert [r[-1] for r in first.rows] == ["L4", "L11", "L7"]
    assert [r[-1] for r in rest.rows] == ["L3"]
    assert "3 of 4" in first.note


def test_filters_narrow_speed_to_lead(report_session: Session) -> None:
    ben = speed_to_lead(
        report_session, ReportFilter(rep_ids=frozenset({WORLD.ben})), now=NOW, sla=24
    )
    assert [r["rep"] for r in ben.table("by_rep").as_dicts()] == ["Ben"]
    week = ReportFilter(start=date(2026, 3, 9), end=date(2026, 3, 15))  # L7, L8, L11
    section = speed_to_lead(report_session, week, now=NOW, sla=24)
    assert [r["lead_id"] for r in section.table("over_sla").as_dicts()] == ["L11", "L7"]
    paid = speed_to_lead(report_session, ReportFilter(sources=frozenset({"Paid search"})), now=NOW)
    assert [r["campaign"] for r in paid.table("by_campaign").as_dicts()] == ["Search ads"]


def test_an_empty_hub_gives_empty_tables(empty_report_session: Session) -> None:
    section = speed_to_lead(empty_report_session, now=NOW)
    assert all(t.rows == () for t in section.tables)


@pytest.mark.parametrize(
    ("numbers", "median", "p90"),
    [
        ([5.0], 5.0, 5.0),
        ([1.0, 2.0, 3.0, 10.0], 2.5, 7.9),
        ([4.0, 1.0, 3.0, 2.0, 100.0, 7.0, 7.0], 4.0, 44.2),
    ],
)
def test_percentile_interpolates_between_closest_ranks(
    empty_report_session: Session, numbers: list[float], median: float, p90: float
) -> None:
    """The SQL method on both databases (on PostgreSQL also against percentile_cont)."""
    data = union_all(*(select(literal(n, Float).label("v")) for n in numbers)).subquery()
    rank, n = rank_columns(data.c.v)
    ranked = select(data.c.v, rank, n).subquery()
    got = empty_report_session.execute(
        select(
            percentile(50, ranked.c.v, ranked.c.pct_rank, ranked.c.pct_n),
            percentile(90, ranked.c.v, ranked.c.pct_rank, ranked.c.pct_n),
        )
    ).one()
    assert got == (pytest.approx(median), pytest.approx(p90))
    if empty_report_session.get_bind().dialect.name == "postgresql":
        native = empty_report_session.execute(
            select(
                func.percentile_cont(0.5).within_group(data.c.v),
                func.percentile_cont(0.9).within_group(data.c.v),
            )
        ).one()
        assert got == (pytest.approx(native[0]), pytest.approx(native[1]))
