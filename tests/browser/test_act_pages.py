"""The Act pages in a real Chromium, signed in as marketing: edit the rubric (the live
check shows a broken value's problem, then the preview count changes), publish it and
see it in the history; upload a small leads CSV, see the dry-run preview with its line
errors, import; tag an existing asset as the answer to an objection category. Every page
is screenshotted (light, and the rubric and answers in dark), with no console error and
no CSP violation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from repdesk.hub import admin
from repdesk.hub.admin import users
from repdesk.hub.config import HubConfig
from repdesk.hub.db.models import ObjectionRow
from repdesk.hub.embedded import EmbeddedHub
from tests.support import hub_rows as seed
from tests.support.browser import ConsoleWatch, watch_console
from tests.support.browser_plugin import NewPage, Screenshot
from tests.support.corpus import corpus_pdfs
from tests.support.hub_fixtures import PASSWORD

MARKETER = "mo@example.test"
REP = "rita@example.test"
ANSWERS = {
    "Globex": ("approved", "decision_maker", "critical", "next_year"),
    "Initech": ("must_find", "champion", "clear", "this_month"),
    "Umbrella": ("approved", "influencer", "clear", "this_month"),
}
LEADS_CSV = (
    "Record ID,First Name,Last Name,Email,Company Name,Contact owner,Lifecycle Stage,"
    "Industry,Country/Region,HubSpot Score\n"
    f"901,Priya,Raman,priya@northwind.example,Northwind,{REP},lead,Retail,Germany,72\n"
    "902,Ana,Silva,ana@stark.example,Stark,,lead,Retail,Portugal,lots\n"
    "903,Li,Wei,li@hooli.example,Hooli,,lead,Finance,China,30\n"
).encode()


@pytest.fixture
def served(tmp_path: Path, cheap_argon2: None) -> Iterator[str]:
    """A hub with the default rubric and taxonomy, a marketer, a rep with three
    qualified leads (two sales-ready), an objection and an untagged asset."""
    config = HubConfig.resolve(tmp_path / "hub")
    admin.init_hub(config)
    with admin.open_hub(config) as hub:
        users.add_user(hub, MARKETER, "marketing", "Mo Marketing", PASSWORD)
        rep, _ = admin.add_rep(hub, REP, "Rita Rep", PASSWORD)
        for company, values in ANSWERS.items():
            lead = seed.add_lead(hub.db, rep.id, company=company, email=f"x@{company}.example")
            for dim, value in zip(
                ("budget", "authority", "need", "timeframe"), values, strict=True
            ):
                seed.set_bant_as_marketing(hub.db, lead, dim, value)
            last = lead
        with hub.db.write() as session:
            session.add(
                ObjectionRow(
                    id="objection-1",
                    lead_id=last,
                    rep_id=rep.id,
                    mutation_id="mutation-1",
                    category_code="security",
                    verbatim="Where is our data hosted?",
                    created_at=datetime(2026, 1, 5, tzinfo=UTC),
                )
            )
        admin.add_collateral(hub, corpus_pdfs()[0], "Security overview", tags=("whitepaper",))
    with EmbeddedHub(config) as base_url:
        yield base_url


def sign_in(page: Page, base_url: str) -> ConsoleWatch:
    watch = watch_console(page)
    page.goto(f"{base_url}/workspace/sign-in")
    page.get_by_label("Email").fill(MARKETER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    return watch


def menu(page: Page, entry: str) -> None:
    """Follow the sidebar's link to `entry` (keyboard: focus it and press Enter)."""
    link = page.get_by_role("navigation", name="Workspace sections").get_by_role(
        "link", name=entry, exact=True
    )
    link.focus()
    link.press("Enter")
    expect(link).to_have_attribute("aria-current", "page")


def flash(page: Page) -> str:
    return page.locator(".flash").first.inner_text()


def test_marketing_acts_on_the_feedback(
    served: str, new_page: NewPage, screenshot: Screenshot
) -> None:
    page = new_page()
    watch = sign_in(page, served)

    # Rubric: the live check, the preview, publish, history.
    menu(page, "Rubric")
    check = page.locator("#rubric-check")
    expect(check).to_contain_text("2 of 3 current leads would be sales-ready (now: 2)")
    threshold = page.get_by_label("Dimensions that must qualify")
    threshold.fill("")
    threshold.press_sequentially("9")  # typed: htmx posts the draft on input
    expect(check).to_contain_text("Cannot publish yet.")
    expect(check).to_contain_text("min_qualifying: Input should be less than or equal to 4")
    threshold.fill("3")
    expect(check).to_contain_text("2 of 3")
    page.get_by_label("authority option 3 qualifies").check()  # "Influencer only"
    expect(check).to_contain_text("3 of 3 current leads would be sales-ready (now: 2)")
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    screenshot(page, "act-rubric")
    page.get_by_role("button", name="Publish").click()
    assert "Published version 2 of 'Sales-ready lead (BANT)'" in flash(page)
    history = page.locator("ol.history > li").first
    expect(history).to_contain_text("Version 2")
    expect(history).to_contain_text(MARKETER)
    expect(history).to_contain_text("authority: option influencer now qualifies")
    expect(check).to_contain_text("3 of 3 current leads would be sales-ready (now: 3)")

    tabs = page.get_by_role("navigation", name="Rubric and taxonomy")
    tabs.get_by_role("link", name="Objection taxonomy").click()
    expect(page.get_by_role("heading", name="Objection taxonomy")).to_be_visible()
    screenshot(page, "act-taxonomy")

    # Leads: upload, dry-run preview with a line error, import.
    menu(page, "Leads")
    page.get_by_label("Leads file").set_input_files(
        {"name": "contacts.csv", "mimeType": "text/csv", "buffer": LEADS_CSV}
    )
    page.get_by_role("button", name="Preview import").click()
    expect(page.get_by_role("heading", name="Import preview")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("score 'lots' is not a whole number")
    expect(page.locator(".stats")).to_contain_text("2new leads")
    screenshot(page, "act-leads-preview")
    page.get_by_role("button", name="Import the other rows").click()
    assert "Imported contacts.csv (hubspot): 2 new" in flash(page)
    expect(page.locator(".stats")).to_contain_text("5leads")
    screenshot(page, "act-leads")

    # Objection answers: tag the existing asset as the answer to security objections.
    menu(page, "Objection answers")
    card = page.locator("section.answer-card", has=page.get_by_role("heading", name="Security"))
    card.get_by_label("Use an existing asset").select_option(label="Security overview")
    card.get_by_role("button", name="Tag as answer").click()
    assert "'Security overview' now answers 'Security / compliance'" in flash(page)
    first = page.locator("section.answer-card").first  # the most-logged category
    expect(first.get_by_role("heading")).to_contain_text("Security / compliance")
    expect(first).to_contain_text("1 logged · 1 open")
    expect(card.get_by_role("list")).to_contain_text("Security overview")
    screenshot(page, "act-answers")

    menu(page, "Reps")
    expect(page.get_by_role("cell", name=REP, exact=True)).to_be_visible()
    screenshot(page, "act-reps")
    menu(page, "Collateral library")
    expect(page.get_by_role("link", name="Security overview")).to_be_visible()
    screenshot(page, "act-collateral")

    assert watch.problems() == [], watch.problems()


def test_the_act_pages_in_dark_mode(served: str, new_page: NewPage, screenshot: Screenshot) -> None:
    page = new_page(color_scheme="dark")
    watch = sign_in(page, served)
    for name in ("rubric", "answers", "leads", "collateral"):
        page.goto(f"{served}/workspace/{name}")
        expect(page.locator("main h1")).to_be_visible()
        background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(20, 24, 30)", background  # workspace.css's dark --bg
        page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
        screenshot(page, f"act-{name}-dark")
    assert watch.problems() == [], watch.problems()
