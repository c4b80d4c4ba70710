"""The audit log: written with the change (workspace and CLI), read newest first a page at
a time, shown to admins only, downloadable as CSV with formula cells neutralised."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta

import pytest

from repdesk.domain.ids import utcnow
from repdesk.hub.admin.audit import audit_page, record
from repdesk.hub.cli.main import main
from repdesk.hub.config import DATABASE_ENV
from repdesk.hub.embedded import EmbeddedHub

from .conftest import ADMIN_EMAIL, MARKETER_EMAIL, Browser, People


def fill(embedded_hub: EmbeddedHub, count: int) -> None:
    start = utcnow() - timedelta(days=1)
    with embedded_hub.state.db.write() as session:
        for i in range(count):
            record(
                session, "cli", "test.step", f"item {i}", {"n": i}, now=start + timedelta(seconds=i)
            )


def test_pages_run_newest_first(embedded_hub: EmbeddedHub) -> None:
    fill(embedded_hub, 7)
    with embedded_hub.state.db.read() as session:
        first = audit_page(session, 1, per_page=3)
        last = audit_page(session, 3, per_page=3)
        beyond = audit_page(session, 99, per_page=3)
    assert [e.target for e in first.entries] == ["item 6", "item 5", "item 4"]
    assert (first.total, first.pages, first.has_previous, first.has_next) == (7, 3, False, True)
    assert [e.target for e in last.entries] == ["item 0"] and not last.has_next
    assert beyond.page == 3  # clamped to the last page


def test_a_failed_change_leaves_no_entry(embedded_hub: EmbeddedHub) -> None:
    with pytest.raises(RuntimeError), embedded_hub.state.db.write() as session:
        record(session, "cli", "test.step", "never")
        raise RuntimeError("the change failed")
    with embedded_hub.state.db.read() as session:
        assert audit_page(session).total == 0


def test_the_audit_page_lists_changes_with_paging(
    embedded_hub: EmbeddedHub, browser: Callable[[str], Browser]
) -> None:
    admin = browser(ADMIN_EMAIL)
    fill(embedded_hub, 60)
    page = admin.get("/workspace/audit")
    assert page.status_code == 200
    assert "item 59" in page.text and "item 9" not in page.text
    assert "Page 1 of 2" in page.text and 'href="/workspace/audit?page=2"' in page.text
    older = admin.get("/workspace/audit?page=2")
    assert "item 9" in older.text and "item 59" not in older.text
    assert admin.get("/workspace/audit?page=abc").status_code == 200  # a bad page: the first
    assert browser(MARKETER_EMAIL).get("/workspace/audit").status_code == 403


def test_the_csv_download_neutralises_formulas(
    embedded_hub: EmbeddedHub, browser: Callable[[str], Browser]
) -> None:
    with embedded_hub.state.db.write() as session:
        record(session, ADMIN_EMAIL, "lead.note", '=HYPERLINK("http://x")', {"why": "@SUM(1)"})
    answer = browser(ADMIN_EMAIL).get("/workspace/audit.csv")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert 'filename="audit-log.csv"' in answer.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.text.lstrip("\ufeff"))))
    entry = next(r for r in rows if r["action"] == "lead.note")
    assert entry["target"] == '\'=HYPERLINK("http://x")'
    assert entry["detail"] == "why: @SUM(1)"  # not at the start of the cell: harmless


def test_cli_user_commands_are_audited_as_cli(
    embedded_hub: EmbeddedHub, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DATABASE_ENV, embedded_hub.config.database_url)
    home = ["--home", str(embedded_hub.config.home)]
    assert main([*home, "user", "disable", MARKETER_EMAIL]) == 0
    assert main([*home, "user", "enable", MARKETER_EMAIL]) == 0
    with embedded_hub.state.db.read() as session:
        entries = audit_page(session).entries
    assert [(e.actor, e.action, e.target) for e in entries[:2]] == [
        ("cli", "user.enable", MARKETER_EMAIL),
        ("cli", "user.disable", MARKETER_EMAIL),
    ]
