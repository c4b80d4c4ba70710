"""The loop closed, both ways, through the real parts: a rep's desktop client (its SQLite
store and sync engine) and marketing in a real Chromium, on one served hub.

1. The rep logs an objection offline in their words and syncs: it appears in marketing's
   objection feed, the words shown as text (a `<script>` in them stays text).
2. Marketing tags an existing asset as the answer to that objection category: at the
   rep's next sync, the call brief for the lead suggests that asset.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from repdesk.domain.feedback import Objection
from repdesk.domain.ids import new_id, utcnow
from repdesk.gui.lead_view.detail import load_detail
from repdesk.hub import admin
from repdesk.hub.admin import users
from repdesk.hub.config import HubConfig
from repdesk.hub.embedded import EmbeddedHub
from repdesk.store import Store
from repdesk.sync.collateral import CollateralCache
from repdesk.sync.credentials import Credentials
from repdesk.sync.engine import SyncEngine
from repdesk.sync.http import HubClient
from tests.support import hub_rows
from tests.support.browser import watch_console
from tests.support.browser_plugin import NewPage, Screenshot
from tests.support.corpus import corpus_pdfs
from tests.support.hub_fixtures import PASSWORD

MARKETER = "mo@example.test"
REP = "rita@example.test"
WORDS = "<script>alert('x')</script> Where is our data hosted?"


@dataclass
class Loop:
    base_url: str
    lead_id: str
    store: Store
    engine: SyncEngine


@pytest.fixture
def loop(tmp_path: Path, cheap_argon2: None) -> Iterator[Loop]:
    config = HubConfig.resolve(tmp_path / "hub")
    admin.init_hub(config)
    with admin.open_hub(config) as hub:
        users.add_user(hub, MARKETER, "marketing", "Mo Marketing", PASSWORD)
        rep, _ = admin.add_rep(hub, REP, "Rita Rep", PASSWORD)
        lead_id = hub_rows.add_lead(hub.db, rep.id, company="Northwind", email="p@northwind.test")
        admin.add_collateral(hub, corpus_pdfs()[0], "Security overview", tags=("whitepaper",))
    store = Store.open(tmp_path / "client" / "data")
    engine = SyncEngine(
        store,
        Credentials(),
        CollateralCache(tmp_path / "client" / "cache"),
        lambda url, token: HubClient(url, token, timeout=10),
    )
    try:
        with EmbeddedHub(config) as base_url:
            engine.login(base_url, REP, PASSWORD)
            engine.sync()
            yield Loop(base_url, lead_id, store, engine)
    finally:
        store.close()


def _sign_in(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/workspace/sign-in")
    page.get_by_label("Email").fill(MARKETER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()


def _suggested(loop: Loop) -> list[str]:
    detail = load_detail(loop.store, loop.lead_id)
    assert detail is not None
    return [s.collateral.title for s in detail.brief.suggested_collateral]


def test_field_feedback_reaches_marketing_and_its_answer_reaches_the_rep(
    loop: Loop, new_page: NewPage, screenshot: Screenshot
) -> None:
    # The rep, on a call: the prospect worries about security. Queued, then synced.
    loop.store.add_objection(
        Objection(new_id(), loop.lead_id, "security", WORDS, utcnow(), competitor="Globex")
    )
    report = loop.engine.sync()
    assert report.applied == 1
    assert "Security overview" not in _suggested(loop)

    page = new_page()
    console = watch_console(page)
    _sign_in(page, loop.base_url)

    # Marketing sees the prospect's own words in the objection feed, as text.
    page.goto(f"{loop.base_url}/workspace/reports/objections")
    feed = page.get_by_role("region", name="In the prospects' words")
    expect(feed).to_contain_text(WORDS)
    assert page.locator("script", has_text="alert('x')").count() == 0
    screenshot(page, "loop-objection-feed")

    # ... and answers it: the asset becomes the answer to security objections.
    page.goto(f"{loop.base_url}/workspace/answers")
    card = page.locator("section.answer-card", has=page.get_by_role("heading", name="Security"))
    card.get_by_label("Use an existing asset").select_option(label="Security overview")
    card.get_by_role("button", name="Tag as answer").click()
    expect(card.get_by_role("list")).to_contain_text("Security overview")
    assert console.problems() == []

    # The rep's next sync: the brief for this lead puts the answer first.
    loop.engine.sync()
    assert _suggested(loop)[:1] == ["Security overview"]
