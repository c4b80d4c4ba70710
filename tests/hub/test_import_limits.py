"""Values that do not fit their column are one skipped row each, by line, on SQLite AND
PostgreSQL alike (SQLite stores anything; PostgreSQL refuses, and used to abort the import)."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from repdesk.hub import admin
from repdesk.hub.db.models import Lead, NurtureEvent
from repdesk.hub.importers import parse_leads
from repdesk.hub.importers.limits import EVENT_LIMITS, LEAD_LIMITS, Limit


def _ids(hub_admin_each_db: admin.Hub) -> list[str]:
    with hub_admin_each_db.db.read() as session:
        return sorted(session.scalars(select(Lead.external_id)).all())  # type: ignore[arg-type]


def test_out_of_range_lead_cells_skip_their_row_only(
    hub_admin_each_db: admin.Hub, tmp_path: Path
) -> None:
    long_email = "a" * 329 + "@example.com"  # 341 characters; the column holds 320
    sheet = tmp_path / "leads.csv"
    sheet.write_text(
        "Id,FirstName,LastName,Company,Email,Lead_Score__c,NumberOfEmployees\n"
        "L1,Ann,Lee,Acme,ann@example.com,10,50\n"
        "L2,Bob,Ray,Beta,bob@example.com,3000000000,50\n"
        f"L3,Cy,Doe,Gamma,{long_email},10,50\n"
        "L4,Di,Ode,Delta,di@example.com,10,99999999999999999999\n"
        f"L5,Ed,Eng,{'C' * 301},ed@example.com,10,50\n"
        "L6,Flo,Fay,Zeta,flo@example.com,-2147483648,2147483647\n",
        encoding="utf-8",
    )
    report = admin.import_leads(hub_admin_each_db, sheet)
    assert (report.created, report.updated) == (2, 0)
    reasons = {e.line: e.reason for e in report.errors}
    assert sorted(reasons) == [3, 4, 5, 6]
    assert "score 3000000000 is out of range" in reasons[3]
    assert "-2147483648 to 2147483647" in reasons[3]
    assert "email is 341 characters long" in reasons[4] and "320" in reasons[4]
    assert "company size 99999999999999999999 is out of range" in reasons[5]
    assert "company is 301 characters long" in reasons[6] and "300" in reasons[6]
    assert _ids(hub_admin_each_db) == ["L1", "L6"]


def test_unstorable_text_in_jsonl_is_a_row_error(
    hub_admin_each_db: admin.Hub, tmp_path: Path
) -> None:
    """NUL and lone surrogates: SQLite keeps or chokes on them differently from PostgreSQL."""
    lines = [
        {"external_id": "J1", "first_name": "Ann", "email": "ann@example.com"},
        {"external_id": "J2", "first_name": "A\u0000nn", "email": "a2@example.com"},
        {"external_id": "J3", "first_name": "\ud800", "email": "a3@example.com"},
        {"external_id": "J4", "first_name": "Ann", "email": "a4@example.com", "score": 1e30},
    ]
    path = tmp_path / "leads.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    report = admin.import_leads(hub_admin_each_db, path)
    reasons = {e.line: e.reason for e in report.errors}
    assert sorted(reasons) == [2, 3, 4]
    assert "first name" in reasons[2] and "NUL" in reasons[2]
    assert "first name" in reasons[3] and "cannot be stored" in reasons[3]
    assert "score" in reasons[4]
    assert _ids(hub_admin_each_db) == ["J1"]


def test_out_of_range_event_cells_skip_their_row_only(
    hub_admin_each_db: admin.Hub, tmp_path: Path
) -> None:
    sheet = tmp_path / "leads.csv"
    sheet.write_text("Id,LastName,Company,Email\nL1,Lee,Acme,ann@example.com\n", encoding="utf-8")
    admin.import_leads(hub_admin_each_db, sheet)
    events = tmp_path / "events.csv"
    events.write_text(
        "lead_external_id,type,occurred_at,campaign,asset,score_delta\n"
        "L1,web_visit,2024-04-01,Spring,/pricing,5\n"
        "L1,web_visit,2024-04-02,Spring,/pricing,3000000000\n"
        f"L1,web_visit,2024-04-03,Spring,{'/p' * 251},5\n"
        f"L1,web_visit,2024-04-04,{'S' * 301},/pricing,5\n"
        f"{'X' * 201},web_visit,2024-04-05,Spring,/pricing,5\n"
        "L1,web_visit,2024-04-06,Spring,/pricing,-3\n",
        encoding="utf-8",
    )
    report = admin.import_events(hub_admin_each_db, events)
    assert (report.created, report.campaigns_created) == (2, 1)
    reasons = {e.line: e.reason for e in report.errors}
    assert sorted(reasons) == [3, 4, 5, 6]
    assert "score_delta 3000000000 is out of range" in reasons[3]
    assert "asset is 502 characters long" in reasons[4] and "500" in reasons[4]
    assert "campaign is 301 characters long" in reasons[5] and "300" in reasons[5]
    assert "lead_external_id is 201 characters long" in reasons[6]
    with hub_admin_each_db.db.read() as session:
        assert len(session.scalars(select(NurtureEvent)).all()) == 2


def test_limits_come_from_the_schema() -> None:
    assert LEAD_LIMITS["email"] == Limit(length=320)
    assert LEAD_LIMITS["company"] == Limit(length=300)
    assert LEAD_LIMITS["score"] == Limit(minimum=-(2**31), maximum=2**31 - 1)
    assert EVENT_LIMITS["asset"] == Limit(length=500)
    for name, column in Lead.__table__.columns.items():
        if name in LEAD_LIMITS and hasattr(column.type, "length"):
            assert LEAD_LIMITS[name].length == column.type.length


def test_long_ids_are_not_cut_short(tmp_path: Path) -> None:
    """External ids were cut to 64 characters, merging distinct CRM records."""
    long_a, long_b = "A" * 70 + "1", "A" * 70 + "2"
    path = tmp_path / "leads.csv"
    path.write_text(f"Id,LastName,Company\n{long_a},Lee,Acme\n{long_b},Ray,Beta\n")
    result = parse_leads(path)
    assert [r.external_id for r in result.records] == [long_a, long_b]
    assert result.errors == []
