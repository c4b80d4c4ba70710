"""Signing in and out of the workspace over a real hub: who may, the cookie, what is
stored, expiry, disabling, throttling in its own realm, and that the workspace and the
reps' API never accept each other's credentials."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select, update

from repdesk.domain.ids import utcnow
from repdesk.hub.admin import users
from repdesk.hub.auth import token_hash
from repdesk.hub.config import HubConfig
from repdesk.hub.db.models import WebSession
from repdesk.hub.embedded import EmbeddedHub
from repdesk.hub.workspace.cookies import SESSION_COOKIE
from repdesk.hub.workspace.sessions import IDLE_TIMEOUT
from tests.support.hub_fixtures import PASSWORD, login

from .conftest import (
    ADMIN_EMAIL,
    MARKETER_EMAIL,
    REP_EMAIL,
    Browser,
    People,
    admin_hub,
    sign_in_form,
    submit_sign_in,
)


def session_cookie(answer: httpx.Response) -> str:
    for header in answer.headers.get_list("set-cookie"):
        if header.startswith(SESSION_COOKIE + "="):
            return header
    raise AssertionError(f"no session cookie in {answer.headers.get_list('set-cookie')}")


def is_signed_out(client: httpx.Client) -> bool:
    answer = client.get("/workspace/")
    return answer.status_code == 303 and answer.headers["location"].startswith("/workspace/sign-in")


def test_sign_in_sets_a_safe_cookie_and_stores_only_its_hash(
    embedded_hub: EmbeddedHub, people: People, anon: httpx.Client
) -> None:
    answer = submit_sign_in(anon, MARKETER_EMAIL, next_path="/workspace/people")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/workspace/people"
    cookie = session_cookie(answer)
    flags = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in flags and "samesite=lax" in flags and "path=/workspace" in flags
    assert "secure" not in flags  # plain http on loopback
    token = anon.cookies[SESSION_COOKIE]
    with embedded_hub.state.db.read() as session:
        rows = session.scalars(select(WebSession)).all()
    assert [r.token_hash for r in rows] == [token_hash(token)]
    assert all(token not in (r.csrf_token, r.token_hash, r.client_address) for r in rows)
    assert rows[0].expires_at - rows[0].created_at <= timedelta(hours=24)
    overview = anon.get("/workspace/")
    assert overview.status_code == 200 and "Mo Marketing" in overview.text


@pytest.fixture
def proxied_hub(hub_config: HubConfig) -> Iterator[EmbeddedHub]:
    embedded = EmbeddedHub(hub_config, forwarded_allow_ips="127.0.0.1")
    embedded.start()
    try:
        yield embedded
    finally:
        embedded.stop()


@pytest.mark.sqlite_only
def test_the_cookie_is_secure_behind_a_tls_proxy(proxied_hub: EmbeddedHub) -> None:
    users.add_user(admin_hub(proxied_hub), MARKETER_EMAIL, "marketing", "Mo", PASSWORD)
    with httpx.Client(
        base_url=proxied_hub.base_url, timeout=30, headers={"X-Forwarded-Proto": "https"}
    ) as client:
        page = client.get("/workspace/sign-in")
        form_cookie = page.headers["set-cookie"]
        assert "secure" in [p.strip().lower() for p in form_cookie.split(";")]
        # httpx keeps Secure cookies for https only: hand the form cookie over ourselves.
        nonce = form_cookie.split(";")[0].split("=", 1)[1]
        token = page.text.split('name="signin_token" value="')[1].split('"')[0]
        answer = client.post(
            "/workspace/sign-in",
            data={"email": MARKETER_EMAIL, "password": PASSWORD, "signin_token": token},
            headers={"Cookie": f"repdesk_ws_signin={nonce}"},
        )
    assert answer.status_code == 303, answer.text
    flags = [p.strip().lower() for p in session_cookie(answer).split(";")]
    assert "secure" in flags and "httponly" in flags


def test_sign_out_revokes_the_session(
    embedded_hub: EmbeddedHub, browser: Callable[[str], Browser]
) -> None:
    client = browser(MARKETER_EMAIL)
    stolen = client.cookies[SESSION_COOKIE]
    answer = client.post_form("/workspace/sign-out")
    assert answer.status_code == 303 and answer.headers["location"] == "/workspace/sign-in"
    assert is_signed_out(client)
    with httpx.Client(base_url=embedded_hub.base_url, cookies={SESSION_COOKIE: stolen}) as replay:
        assert is_signed_out(replay)  # the old cookie is dead on the server, not just cleared
    with embedded_hub.state.db.read() as session:
        assert session.scalar(select(WebSession.revoked_at)) is not None


def test_sessions_expire_when_idle_and_after_their_lifetime(
    embedded_hub: EmbeddedHub, browser: Callable[[str], Browser]
) -> None:
    idle = browser(MARKETER_EMAIL)
    old = browser(ADMIN_EMAIL)
    now = utcnow()
    with embedded_hub.state.db.write() as session:
        session.execute(
            update(WebSession)
            .where(WebSession.token_hash == token_hash(idle.cookies[SESSION_COOKIE]))
            .values(last_seen_at=now - IDLE_TIMEOUT - timedelta(minutes=1))
        )
        session.execute(
            update(WebSession)
            .where(WebSession.token_hash == token_hash(old.cookies[SESSION_COOKIE]))
            .values(expires_at=now - timedelta(minutes=1))
        )
    assert is_signed_out(idle)
    assert is_signed_out(old)


def test_activity_keeps_a_session_alive(
    embedded_hub: EmbeddedHub, browser: Callable[[str], Browser]
) -> None:
    client = browser(MARKETER_EMAIL)
    almost = utcnow() - IDLE_TIMEOUT + timedelta(minutes=5)
    with embedded_hub.state.db.write() as session:
        session.execute(update(WebSession).values(last_seen_at=almost))
    assert client.get("/workspace/").status_code == 200
    with embedded_hub.state.db.read() as session:
        seen = session.scalar(select(WebSession.last_seen_at))
    assert seen is not None and seen > almost + timedelta(minutes=4)


def test_disabled_users_are_refused_and_their_sessions_stop(
    embedded_hub: EmbeddedHub, browser: Callable[[str], Browser], anon: httpx.Client
) -> None:
    client = browser(MARKETER_EMAIL)
    users.disable_user(admin_hub(embedded_hub), MARKETER_EMAIL)
    assert is_signed_out(client)
    answer = submit_sign_in(anon, MARKETER_EMAIL)
    assert answer.status_code == 401
    assert "has been disabled" in answer.text
    assert SESSION_COOKIE not in anon.cookies


def test_a_reps_credentials_and_token_never_open_the_workspace(
    embedded_hub: EmbeddedHub, people: People, anon: httpx.Client
) -> None:
    answer = submit_sign_in(anon, REP_EMAIL)
    assert answer.status_code == 401
    assert "email or password is not right" in answer.text
    rep = login(embedded_hub.base_url, REP_EMAIL, PASSWORD)
    try:
        assert rep.get("/v1/sync/pull").status_code == 200  # the token itself works
        assert is_signed_out(rep)
    finally:
        rep.close()


def test_a_workspace_cookie_never_authenticates_to_the_sync_api(
    embedded_hub: EmbeddedHub, browser: Callable[[str], Browser]
) -> None:
    client = browser(ADMIN_EMAIL)
    cookie = client.cookies[SESSION_COOKIE]
    # The cookie's Path keeps browsers from sending it to /v1; send it anyway.
    for headers in (
        {"Cookie": f"{SESSION_COOKIE}={cookie}"},
        {"Authorization": f"Bearer {cookie}"},
    ):
        answer = httpx.get(f"{embedded_hub.base_url}/v1/sync/pull", headers=headers)
        assert answer.status_code == 401, answer.text


def test_sign_in_without_the_forms_token_is_refused(
    embedded_hub: EmbeddedHub, people: People, anon: httpx.Client
) -> None:
    sign_in_form(anon)  # has the form cookie, but posts no token (a cross-site form)
    answer = anon.post("/workspace/sign-in", data={"email": MARKETER_EMAIL, "password": PASSWORD})
    assert answer.status_code == 403
    assert "sign-in form had expired" in answer.text
    with httpx.Client(base_url=embedded_hub.base_url) as forged:  # a token, but not for its cookie
        token = sign_in_form(anon)
        answer = forged.post(
            "/workspace/sign-in",
            data={"email": MARKETER_EMAIL, "password": PASSWORD, "signin_token": token},
        )
        assert answer.status_code == 403
    with embedded_hub.state.db.read() as session:
        assert session.scalars(select(WebSession)).all() == []


def test_sign_in_only_redirects_within_the_workspace(people: People, anon: httpx.Client) -> None:
    answer = submit_sign_in(anon, MARKETER_EMAIL, next_path="https://evil.example/x")
    assert answer.status_code == 303 and answer.headers["location"] == "/workspace/"
    anon.cookies.clear()
    answer = submit_sign_in(anon, MARKETER_EMAIL, next_path="//evil.example/workspace/")
    assert answer.headers["location"] == "/workspace/"


def test_failed_sign_ins_are_throttled_apart_from_the_reps(
    embedded_hub: EmbeddedHub, people: People, anon: httpx.Client
) -> None:
    # A rep with the same address as a workspace user: one realm must not lock the other.
    users.add_user(
        admin_hub(embedded_hub), REP_EMAIL, "marketing", "Rita (also marketing)", PASSWORD
    )
    limit = embedded_hub.config.login_throttle.per_account
    for _ in range(limit):
        assert submit_sign_in(anon, REP_EMAIL, "wrong password!").status_code == 401
    throttled = submit_sign_in(anon, REP_EMAIL, PASSWORD)  # even the right password waits
    assert throttled.status_code == 429
    assert int(throttled.headers["Retry-After"]) >= 1
    assert "Too many failed sign-ins" in throttled.text
    rep = httpx.post(
        f"{embedded_hub.base_url}/v1/auth/login", json={"email": REP_EMAIL, "password": PASSWORD}
    )
    assert rep.status_code == 200  # the rep's app is not locked out by the workspace
    for _ in range(limit):
        httpx.post(
            f"{embedded_hub.base_url}/v1/auth/login",
            json={"email": MARKETER_EMAIL, "password": "nope"},
        )
    anon.cookies.clear()
    assert submit_sign_in(anon, MARKETER_EMAIL).status_code == 303  # nor the other way
