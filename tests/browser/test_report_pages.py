"""The report pages in a real Chromium, signed in as marketing, over a hub (SQLite)
holding the hand-built report world: each page opens with its charts drawn, the filter
bar narrows the results in place (htmx) and in the address bar, a table downloads as CSV,
the objection feed loads more, the pages work without JavaScript, and no page logs a
console error or CSP violation. Screenshots: reports-<slug> (light) and
reports-<slug>-dark."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from repdesk.hub.admin import Hub, users
from repdesk.hub.config import HubConfig
from repdesk.hub.embedded import EmbeddedHub
from repdesk.hub.workspace.pages import objection_feed
from tests.support import report_world
from tests.support.browser import ConsoleWatch, watch_console
from tests.support.browser_plugin import NewPage, Screenshot
from tests.support.hub_fixtures import PASSWORD
from tests.support.report_world import SCRIPT_WORDS, WORLD

MARKETER = "mo@example.test"
REPORTS = {
    "lead-quality": "Lead quality",
    "speed-to-lead": "Speed to lead",
    "objections": "Objections",
    "qualification": "Qualification",
    "collateral": "Collateral",
}
CHARTS_DRAWN = """() => {
  const canvases = [...document.querySelectorAll("canvas")];
  return window.Chart !== undefined && canvases.every((c) => Chart.getChart(c) !== undefined);
}"""


@pytest.fixture
def report_hub(tmp_path: Path, cheap_argon2: None) -> Iterator[EmbeddedHub]:
    embedded = EmbeddedHub(HubConfig.resolve(tmp_path / "hub"))
    embedded.start()
    try:
        state = embedded.state
        users.add_user(
            Hub(state.config, state.db, state.files), MARKETER, "marketing", "Mo", PASSWORD
        )
        with state.db.write() as session:
            report_world.build(session)
        yield embedded
    finally:
        embedded.stop()


def sign_in(page: Page, base_url: str) -> ConsoleWatch:
    watch = watch_console(page)
    page.goto(f"{base_url}/workspace/sign-in")
    page.get_by_label("Email").fill(MARKETER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name="Overview")).to_be_visible()
    return watch


def open_report(page: Page, title: str) -> None:
    page.get_by_role("navigation", name="Workspace sections").get_by_role(
        "link", name=title, exact=True
    ).click()
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()
    page.wait_for_function(CHARTS_DRAWN)


def test_report_pages_in_a_real_browser(
    report_hub: EmbeddedHub,
    new_page: NewPage,
    screenshot: Screenshot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(objection_feed, "FEED_PAGE", 4)
    page = new_page()
    watch = sign_in(page, report_hub.base_url)

    for slug, title in REPORTS.items():
        open_report(page, title)
        assert page.url.endswith(f"/workspace/reports/{slug}")
        screenshot(page, f"reports-{slug}")
    assert page.locator("canvas").count() >= 1

    # Filter in place: htmx swaps the results and the address bar follows.
    open_report(page, "Lead quality")
    by_campaign = page.locator("#lead-quality-by-campaign table")
    expect(by_campaign.locator("tbody tr")).to_have_count(4)
    page.get_by_label("Campaign", exact=True).select_option(label="Search ads (Paid search)")
    page.get_by_role("button", name="Apply").click()
    expect(by_campaign.locator("tbody tr")).to_have_count(1)
    expect(by_campaign.locator("tbody tr").first).to_contain_text("Search ads")
    expect(page).to_have_url(
        re.compile(rf"/workspace/reports/lead-quality\?.*campaign={WORLD.search}")
    )
    page.wait_for_function(CHARTS_DRAWN)
    screenshot(page, "reports-lead-quality-filtered")

    with page.expect_download() as fetched:
        page.get_by_role(
            "link", name=re.compile(r"^Download CSV\W+Lead quality by campaign$")
        ).click()
    download = fetched.value
    assert download.suggested_filename == "lead-quality-by-campaign.csv"
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["campaign"], r["assigned"], r["accepted"], r["acceptance"]) for r in rows] == [
        ("Search ads", "3", "1", "0.5")
    ]

    # The objection feed: the prospect's words as text, then "load more".
    open_report(page, "Objections")
    items = page.locator("#feed .feed-item")
    expect(items).to_have_count(4)
    expect(page.get_by_text(SCRIPT_WORDS, exact=True)).to_have_count(0)
    page.get_by_role("link", name="Load more").click()
    expect(items).to_have_count(6)
    expect(items.nth(4).locator("blockquote")).to_have_text(SCRIPT_WORDS)
    assert page.locator("#feed script").count() == 0  # shown as text, never run
    expect(items.nth(4)).to_be_focused()
    expect(page.get_by_role("link", name="Load more")).to_have_count(0)
    page.get_by_label("Category", exact=True).select_option(label="Competitor")
    page.get_by_role("button", name="Show").click()
    expect(items).to_have_count(1)
    expect(items.first).to_contain_text("Acme does it for free")
    assert "category=competitor" in page.url
    screenshot(page, "reports-objections-feed")

    assert watch.problems() == []


def test_report_pages_in_dark_mode(
    report_hub: EmbeddedHub, new_page: NewPage, screenshot: Screenshot
) -> None:
    page = new_page(color_scheme="dark")
    watch = sign_in(page, report_hub.base_url)
    for slug, title in REPORTS.items():
        open_report(page, title)
        screenshot(page, f"reports-{slug}-dark")
    background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(20, 24, 30)"
    legend = page.evaluate("() => Chart.defaults.color")
    assert legend.strip() == "#a1abba"  # --muted in dark mode: readable on the dark surface
    assert watch.problems() == []


def test_report_pages_work_without_javascript(report_hub: EmbeddedHub, new_page: NewPage) -> None:
    page = new_page(java_script_enabled=False)
    sign_in(page, report_hub.base_url)
    page.goto(f"{report_hub.base_url}/workspace/reports/speed-to-lead")
    page.get_by_label("Rep", exact=True).select_option(label="Ben")
    page.get_by_role("button", name="Apply").click()
    assert f"rep={WORLD.ben}" in page.url
    expect(page.locator("#speed-to-lead-by-rep tbody tr")).to_have_count(1)
    page.get_by_label("SLA in hours").fill("40")
    page.get_by_role("button", name="Save the SLA").click()
    expect(page.get_by_role("status")).to_contain_text("The SLA is now 40 hours")
    assert f"rep={WORLD.ben}" in page.url
