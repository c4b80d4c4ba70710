"""The People page (admins): adding people with a role, the password shown once, disabling
and enabling, resetting passwords; each change audited in the admin's name; CSRF on every
form; names shown as text, never markup."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
from sqlalchemy import func, select

from repdesk.hub.admin.audit import audit_entries
from repdesk.hub.db.models import User
from repdesk.hub.embedded import EmbeddedHub

from .conftest import ADMIN_EMAIL, MARKETER_EMAIL, Browser, People, browser_for, submit_sign_in

_SHOWN_PASSWORD = re.compile(r'id="password" type="text" readonly value="([^"]+)"')
XSS = "<script>alert(1)</script>"


def user_count(embedded_hub: EmbeddedHub) -> int:
    with embedded_hub.state.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(User)) or 0)


def test_an_admin_adds_a_person_who_signs_in_with_the_password_shown_once(
    embedded_hub: EmbeddedHub, browser: Callable[[str], Browser], anon: httpx.Client
) -> None:
    admin = browser(ADMIN_EMAIL)
    answer = admin.post_form(
        "/workspace/people", {"email": "Nia@Example.test ", "name": "Nia", "role": "admin"}
    )
    assert answer.status_code == 200
    assert "Nia can now sign in" in answer.text
    found = _SHOWN_PASSWORD.search(answer.text)
    assert found
    password = found.group(1)
    assert password not in admin.get("/workspace/people").text  # shown only that once
    assert submit_sign_in(anon, "nia@example.test", password).status_code == 303
    assert anon.get("/workspace/people").status_code == 200  # with the role given
    with embedded_hub.state.db.read() as session:
        entries = audit_entries(session)
    assert [(e.actor, e.action, e.target) for e in entries][0] == (
        ADMIN_EMAIL,
        "user.add",
        "nia@example.test",
    )
    assert all(password not in str(e.detail) for e in entries)


def test_bad_input_is_explained_and_changes_nothing(
    embedded_hub: EmbeddedHub, browser: Callable[[str], Browser]
) -> None:
    admin = browser(ADMIN_EMAIL)
    before = user_count(embedded_hub)
    for data, message in (
        ({"email": "not an address", "role": "marketing"}, "is not an email address"),
        ({"email": "x@example.test", "role": "boss"}, "The role must be one of"),
        ({"email": MARKETER_EMAIL, "role": "marketing"}, "already exists"),
    ):
        answer = admin.post_form("/workspace/people", data)
        assert answer.status_code == 400
        assert message in answer.text
        assert 'value="' + data["email"] + '"' in answer.text  # what was typed is kept
    assert user_count(embedded_hub) == before


def test_disable_enable_and_reset_password(
    embedded_hub: EmbeddedHub, people: People, browser: Callable[[str], Browser]
) -> None:
    admin = browser(ADMIN_EMAIL)
    marketer = browser(MARKETER_EMAIL)
    answer = admin.post_form(f"/workspace/people/{people.marketer}/disable")
    assert answer.status_code == 303 and answer.headers["location"] == "/workspace/people"
    page = admin.get("/workspace/people")
    assert f"{MARKETER_EMAIL} is disabled and signed out of 1 session(s)." in page.text
    assert "is disabled" not in admin.get("/workspace/people").text  # the message shows once
    assert marketer.get("/workspace/").status_code == 303  # their session ended
    admin.post_form(f"/workspace/people/{people.marketer}/enable")
    assert "can sign in again" in admin.get("/workspace/people").text
    marketer = browser(MARKETER_EMAIL)
    reset = admin.post_form(f"/workspace/people/{people.marketer}/reset-password")
    found = _SHOWN_PASSWORD.search(reset.text)
    assert reset.status_code == 200 and found
    assert marketer.get("/workspace/").status_code == 303  # sessions end with a reset
    browser_for(embedded_hub.base_url, MARKETER_EMAIL, found.group(1)).close()
    with embedded_hub.state.db.read() as session:
        actions = [(e.actor, e.action) for e in audit_entries(session)]
    assert actions[:3] == [
        (ADMIN_EMAIL, "user.reset_password"),
        (ADMIN_EMAIL, "user.enable"),
        (ADMIN_EMAIL, "user.disable"),
    ]


def test_an_admin_cannot_lock_themselves_out(
    embedded_hub: EmbeddedHub, people: People, browser: Callable[[str], Browser]
) -> None:
    admin = browser(ADMIN_EMAIL)
    admin.post_form(f"/workspace/people/{people.admin}/disable")
    assert "You cannot disable your own account." in admin.get("/workspace/people").text
    assert admin.get("/workspace/people").status_code == 200


def test_people_forms_need_the_sessions_csrf_token(
    embedded_hub: EmbeddedHub, people: People, browser: Callable[[str], Browser]
) -> None:
    admin = browser(ADMIN_EMAIL)
    other = browser(MARKETER_EMAIL)  # a real token, of another session
    before = user_count(embedded_hub)
    data = {"email": "eve@example.test", "role": "admin"}
    for token in ("", "forged", other.csrf):
        answer = admin.post("/workspace/people", data={**data, "csrf_token": token})
        assert answer.status_code == 403
        assert "This form has expired" in answer.text
    assert user_count(embedded_hub) == before
    # htmx sends the token as a header instead of a field.
    answer = admin.post("/workspace/people", data=data, headers={"X-CSRF-Token": admin.csrf})
    assert answer.status_code == 200 and user_count(embedded_hub) == before + 1


def test_names_are_shown_as_text(
    embedded_hub: EmbeddedHub, people: People, browser: Callable[[str], Browser]
) -> None:
    admin = browser(ADMIN_EMAIL)
    answer = admin.post_form(
        "/workspace/people", {"email": "x@example.test", "name": XSS, "role": "admin"}
    )
    assert XSS not in answer.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in answer.text
    page = admin.get("/workspace/people")
    assert XSS not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
