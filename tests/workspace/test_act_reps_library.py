"""The Reps and Collateral library pages over HTTP (SQLite and PostgreSQL): each action
goes through the CLI's operation, is audited, reaches reps (sign-in, pulls); bad input is
refused with its message and changes nothing."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
import pytest
from sqlalchemy import select

from repdesk.hub.db.models import Collateral, Rep
from repdesk.hub.embedded import EmbeddedHub
from tests.hub.admin_helpers import pulled
from tests.support import hub_rows as seed
from tests.support.corpus import CORPUS, ENCRYPTED, corpus_pdfs
from tests.support.hub_fixtures import PASSWORD, PDF_BYTES, login

from .act_support import actions, audit_log, change_log_size, flash_after, logged, upload
from .conftest import MARKETER_EMAIL, REP_EMAIL, Browser, People, admin_hub

_PASSWORD = re.compile(r'id="password" type="text" readonly value="([^"]+)"')


def password_on(page: httpx.Response) -> str:
    assert page.status_code == 200, page.text[:300]
    found = _PASSWORD.search(page.text)
    assert found, "no password shown"
    return found.group(1)


def signs_in(embedded_hub: EmbeddedHub, email: str, password: str) -> bool:
    try:
        login(embedded_hub.base_url, email, password).close()
    except httpx.HTTPStatusError:
        return False
    return True


def test_reps_are_added_disabled_enabled_and_given_new_passwords(
    embedded_hub: EmbeddedHub, people: People, browser: Callable[[str], Browser]
) -> None:
    h = admin_hub(embedded_hub)
    seed.add_lead(embedded_hub.state.db, people.rep, company="Acme")
    api = login(embedded_hub.base_url, REP_EMAIL)  # the rep's app, signed in
    assert api.get("/v1/sync/pull").status_code == 200
    client = browser(MARKETER_EMAIL)
    listing = " ".join(client.get("/workspace/reps").text.split())
    assert "Rita Rep" in listing and '<td class="num">1</td>' in listing
    assert "Never" not in listing  # her app has signed in

    added = client.post_form("/workspace/reps", {"email": "Nia@Example.test", "name": "Nia"})
    password = password_on(added)
    assert "It is shown only now" in added.text
    assert signs_in(embedded_hub, "nia@example.test", password)
    assert password not in client.get("/workspace/reps").text

    disabled = client.post_form(f"/workspace/reps/{people.rep}/disable")
    assert "rita@example.test is disabled, signed out of" in flash_after(client, disabled)
    assert api.get("/v1/sync/pull").status_code == 401
    assert not signs_in(embedded_hub, REP_EMAIL, PASSWORD)
    enabled = client.post_form(f"/workspace/reps/{people.rep}/enable")
    assert "can sign in again" in flash_after(client, enabled)
    assert signs_in(embedded_hub, REP_EMAIL, PASSWORD)

    new = password_on(client.post_form(f"/workspace/reps/{people.rep}/reset-password"))
    assert new != PASSWORD and signs_in(embedded_hub, REP_EMAIL, new)
    assert not signs_in(embedded_hub, REP_EMAIL, PASSWORD)
    assert actions(h, MARKETER_EMAIL) == [
        (MARKETER_EMAIL, "rep.add", "nia@example.test"),
        (MARKETER_EMAIL, "rep.disable", REP_EMAIL),
        (MARKETER_EMAIL, "rep.enable", REP_EMAIL),
        (MARKETER_EMAIL, "rep.reset_password", REP_EMAIL),
    ]
    details = str([(e.target, e.detail) for e in audit_log(h)])
    assert password not in details and new not in details  # never a secret in the log
    api.close()


def test_bad_rep_input_is_refused_and_changes_nothing(
    embedded_hub: EmbeddedHub, people: People, browser: Callable[[str], Browser]
) -> None:
    h = admin_hub(embedded_hub)
    client = browser(MARKETER_EMAIL)
    bad = [
        ({"email": "not an email", "name": "X"}, "is not an email address"),
        ({"email": REP_EMAIL, "name": "Again"}, "already exists"),
        ({"email": "new@example.test", "name": " "}, "The rep needs a name."),
    ]
    for data, message in bad:
        answer = client.post_form("/workspace/reps", data)
        assert answer.status_code == 400 and message in answer.text, answer.text[:300]
        assert f'value="{data["email"]}"' in answer.text  # the form comes back as typed
    for action in ("disable", "enable", "reset-password"):
        answer = client.post_form(f"/workspace/reps/no-such-rep/{action}")
        assert answer.status_code == 400 and "That rep does not exist" in answer.text
    with embedded_hub.state.db.read() as session:
        assert len(session.scalars(select(Rep)).all()) == 1
    assert actions(h, MARKETER_EMAIL) == []


@pytest.fixture
def campaign(embedded_hub: EmbeddedHub) -> str:
    return seed.add_campaign(embedded_hub.state.db, "Spring webinar")


def test_collateral_is_uploaded_listed_downloaded_and_retired(
    embedded_hub: EmbeddedHub, people: People, campaign: str, browser: Callable[[str], Browser]
) -> None:
    h = admin_hub(embedded_hub)
    client = browser(MARKETER_EMAIL)
    good = corpus_pdfs()[0].read_bytes()
    answer = upload(
        client,
        "/workspace/collateral",
        "C:\\Users\\mo\\Pricing <2026>.pdf",
        good,
        {"title": "Pricing <sheet>", "campaign": "Spring webinar", "tags": "Price, security"},
    )
    assert "Reps get it at their next sync" in flash_after(client, answer)
    with embedded_hub.state.db.read() as session:
        row = session.scalars(select(Collateral)).one()
    assert (row.media_type, row.tags, row.campaign_id) == (
        "application/pdf",
        ["price", "security"],
        campaign,
    )
    assert row.original_name == "Pricing <2026>.pdf" and row.problem == ""
    assert pulled(h, people.rep)[("collateral", row.id)] == "upsert"

    flagged = upload(
        client,
        "/workspace/collateral",
        "x.pdf",
        (CORPUS / ENCRYPTED).read_bytes(),
        {"title": "Locked"},
    )
    assert "flagged: This PDF is password-protected" in flash_after(client, flagged)
    fake = upload(client, "/workspace/collateral", "fake.pdf", b"just text", {"title": "Fake"})
    assert "Named like a PDF but the content is text/plain" in flash_after(client, fake)

    listing = " ".join(client.get("/workspace/collateral").text.split())
    assert "Pricing &lt;sheet&gt;" in listing and "<sheet>" not in listing
    assert "Spring webinar" in listing and '<span class="tag">security</span>' in listing
    assert listing.count('<span class="flag">Flagged</span>') == 2

    download = client.get(f"/workspace/collateral/{row.id}/file")
    assert download.status_code == 200 and download.content == good
    assert download.headers["content-disposition"].startswith("attachment;")
    assert client.get("/workspace/collateral/nope/file").status_code == 404

    retired = client.post_form(f"/workspace/collateral/{row.id}/retire")
    assert "Retired &#39;Pricing &lt;sheet&gt;&#39;" in flash_after(client, retired)
    assert pulled(h, people.rep)[("collateral", row.id)] == "remove"
    assert logged(h, "collateral", row.id) == [("*", "remove", 2)]
    assert "row--retired" in client.get("/workspace/collateral").text
    assert [a[1] for a in actions(h, MARKETER_EMAIL)] == [
        "collateral.add",
        "collateral.add",
        "collateral.add",
        "collateral.retire",
    ]


def test_bad_collateral_input_is_refused_and_changes_nothing(
    embedded_hub: EmbeddedHub, people: People, campaign: str, browser: Callable[[str], Browser]
) -> None:
    h = admin_hub(embedded_hub)
    existing, _ = seed.add_collateral(
        embedded_hub.state.db, embedded_hub.state.files, PDF_BYTES, "Sheet"
    )
    client = browser(MARKETER_EMAIL)
    log_before = change_log_size(h)
    bad = [
        ({"title": ""}, PDF_BYTES + b"2", "The collateral needs a title."),
        ({"title": "Dup"}, PDF_BYTES, "already in the library as &#39;Sheet&#39;"),
        ({"title": "T", "campaign": "Autumn"}, PDF_BYTES + b"3", "There is no campaign"),
        ({"title": "Empty"}, b"", "is empty"),
    ]
    for data, content, message in bad:
        answer = upload(client, "/workspace/collateral", "a.pdf", content, data)
        assert answer.status_code == 400 and message in answer.text, answer.text[:500]
        assert f'value="{data["title"]}"' in answer.text
    no_file = client.post_form("/workspace/collateral", {"title": "T"})
    assert no_file.status_code == 400 and "Choose a file" in no_file.text
    missing = client.post_form("/workspace/collateral/missing-id/retire")
    assert missing.status_code == 400 and "No collateral in the library matches" in missing.text
    with embedded_hub.state.db.read() as session:
        assert [r.id for r in session.scalars(select(Collateral))] == [existing]
    assert change_log_size(h) == log_before and actions(h, MARKETER_EMAIL) == []
    assert list((embedded_hub.config.home / "workspace-uploads").iterdir()) == []
