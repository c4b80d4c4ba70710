"""The sign-in page, the Overview and the admin pages (People, Audit log) in a real
Chromium: an admin signs in, adds a marketing colleague (the new password shown once),
sees the change in the audit log; each page pictured, no console error or CSP violation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from repdesk.hub import admin
from repdesk.hub.admin import users
from repdesk.hub.config import HubConfig
from repdesk.hub.embedded import EmbeddedHub
from tests.support.browser import watch_console
from tests.support.browser_plugin import NewPage, Screenshot
from tests.support.hub_fixtures import PASSWORD

ADMIN = "ada@example.test"


@pytest.fixture
def served(tmp_path: Path, cheap_argon2: None) -> Iterator[str]:
    config = HubConfig.resolve(tmp_path / "hub")
    admin.init_hub(config)
    with admin.open_hub(config) as hub:
        users.add_user(hub, ADMIN, "admin", "Ada Admin", PASSWORD)
        admin.add_rep(hub, "rita@example.test", "Rita Rep", PASSWORD)
    with EmbeddedHub(config) as base_url:
        yield base_url


def test_an_admin_adds_a_colleague_and_the_audit_log_says_so(
    served: str, new_page: NewPage, screenshot: Screenshot
) -> None:
    page = new_page()
    console = watch_console(page)
    page.goto(f"{served}/workspace/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    screenshot(page, "sign-in")
    page.get_by_label("Email").fill(ADMIN)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    screenshot(page, "overview")

    page.get_by_role("navigation", name="Workspace sections").get_by_role(
        "link", name="People"
    ).click()
    page.get_by_label("Email").fill("nina@example.test")
    page.get_by_label("Name").fill("Nina <b>Park</b>")
    page.get_by_role("button", name="Add person").click()
    expect(page.get_by_text("Nina <b>Park</b>").first).to_be_visible()
    page.goto(f"{served}/workspace/people")
    screenshot(page, "people")

    page.goto(f"{served}/workspace/audit")
    expect(page.get_by_role("table")).to_contain_text("user.add")
    screenshot(page, "audit-log")
    assert console.problems() == []
