"""What every workspace page shares: security headers, HTML error pages (the sync API keeps
its JSON), the layout's landmarks and menu, the Overview's figures, and templates that the
Content-Security-Policy can serve (no inline scripts or styles)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from repdesk.domain.ids import new_id, utcnow
from repdesk.hub.db.models import CallNote, ObjectionRow
from repdesk.hub.embedded import EmbeddedHub
from repdesk.hub.workspace.rendering import TEMPLATES_DIR
from tests.support import hub_rows as seed

from .conftest import ADMIN_EMAIL, MARKETER_EMAIL, Browser, People


@pytest.mark.sqlite_only
def test_security_headers_on_pages_and_static_files(
    people: People, browser: Callable[[str], Browser], anon: httpx.Client
) -> None:
    for answer in (
        anon.get("/workspace/sign-in"),
        anon.get("/workspace/"),
        browser(MARKETER_EMAIL).get("/workspace/"),
        anon.get("/workspace/static/workspace.css"),
        anon.get("/workspace/nothing-here"),
    ):
        csp = answer.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "same-origin"
    assert anon.get("/workspace/sign-in").headers["cache-control"] == "no-store"
    assert "content-security-policy" not in anon.get("/v1/sync/meta").headers


@pytest.mark.sqlite_only
def test_errors_are_pages_in_the_workspace_and_json_in_the_api(
    people: People, browser: Callable[[str], Browser], anon: httpx.Client
) -> None:
    missing = browser(MARKETER_EMAIL).get("/workspace/nothing-here")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")
    assert "Page not found" in missing.text and 'aria-current="page"' not in missing.text
    assert '<nav class="sidebar"' in missing.text  # the menu stays, to find the way
    assert anon.get("/v1/nothing-here").json()["error"]["code"] == "not_found"
    root = anon.get("/")
    assert root.status_code == 307 and root.headers["location"] == "/workspace/"


@pytest.mark.sqlite_only
def test_the_layout_has_landmarks_a_skip_link_and_the_current_entry(
    people: People, browser: Callable[[str], Browser]
) -> None:
    page = browser(ADMIN_EMAIL).get("/workspace/people").text
    assert '<a class="skip-link" href="#main">' in page
    for landmark in ("<header", "<nav", '<main id="main"'):
        assert landmark in page
    assert re.search(r'href="/workspace/people" aria-current="page"', page)
    assert page.count('aria-current="page"') == 1
    assert """hx-headers='{"X-CSRF-Token": """ in page
    marketer = browser(MARKETER_EMAIL).get("/workspace/").text
    assert "/workspace/people" not in marketer and "/workspace/audit" not in marketer


def test_the_overview_counts(embedded_hub: EmbeddedHub, browser: Callable[[str], Browser]) -> None:
    db = embedded_hub.state.db
    rep = seed.add_rep(db, "r@example.test", "a long enough password", "R")
    seed.add_rep(db, "off@example.test", "a long enough password", "Off", disabled=True)
    leads = [seed.add_lead(db, rep if i < 2 else None, first_name=f"L{i}") for i in range(5)]
    now = utcnow()
    with db.write() as session:
        for i, at in enumerate((now - timedelta(days=1), now - timedelta(days=30))):
            session.add(
                CallNote(id=new_id(), lead_id=leads[0], rep_id=rep, mutation_id=new_id(),
                         body=f"note {i}", created_at=at, received_at=at)
            )  # fmt: skip
        session.add(
            ObjectionRow(id=new_id(), lead_id=leads[1], rep_id=rep, mutation_id=new_id(),
                         category_code="price", created_at=now, received_at=now)
        )  # fmt: skip
    page = browser(MARKETER_EMAIL).get("/workspace/").text
    figures = dict(
        (label.strip(), int(value.replace(",", "")))
        for value, label in re.findall(
            r'stat-value">([\d,]+)</span><span class="stat-label">([^<]+)<', page
        )
    )
    assert figures == {
        "leads": 5,
        "assigned to reps": 2,
        "active reps": 2,  # with the `people` fixture's rep; the disabled one not
        "pieces of feedback in the last 7 days": 2,
    }


@pytest.mark.sqlite_only
def test_templates_have_no_inline_scripts_or_styles() -> None:
    """The CSP refuses inline code: data travels as JSON script blocks or data-* only."""
    for template in sorted(Path(TEMPLATES_DIR).rglob("*.html")):
        text = template.read_text(encoding="utf-8")
        assert "<style" not in text and not re.search(r"\sstyle=", text), template
        assert not re.search(r"\son[a-z]+=", text), f"inline event handler in {template}"
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag or 'type="application/json"' in tag, (template, tag)
        assert "|safe" not in text.replace(" ", ""), template
