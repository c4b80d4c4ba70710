"""Sign-in, sign-out, token checks and sign-in throttling over a real loopback socket."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import httpx
from sqlalchemy import select
from tests.hub.helpers import assert_error
from tests.support.hub_fixtures import PASSWORD
from tests.support.world import World

from repdesk.domain.ids import utcnow
from repdesk.hub import auth
from repdesk.hub.db.models import Rep, Token
from repdesk.hub.embedded import EmbeddedHub


def test_login_returns_a_working_token_and_the_rep(world: World, anon: httpx.Client) -> None:
    r = anon.post("/v1/auth/login", json={"email": " Ada@Example.test ", "password": PASSWORD})
    assert r.status_code == 200
    body = r.json()
    assert body["rep"] == {"id": world.ada.id, "name": world.ada.name, "email": world.ada.email}
    assert len(body["token"]) >= 40
    pulled = anon.get("/v1/sync/pull", headers={"Authorization": f"Bearer {body['token']}"})
    assert pulled.status_code == 200


def test_tokens_are_stored_hashed(
    world: World, embedded_hub: EmbeddedHub, anon: httpx.Client
) -> None:
    token = anon.post(
        "/v1/auth/login", json={"email": world.ada.email, "password": PASSWORD}
    ).json()["token"]
    with embedded_hub.state.db.read() as s:
        assert auth.rep_for_token(s, token) is not None
        stored = s.scalars(select(Token.token_hash)).all()
    assert token not in stored
    assert auth.token_hash(token) in stored


def test_wrong_password_and_unknown_email_are_401(world: World, anon: httpx.Client) -> None:
    wrong = anon.post("/v1/auth/login", json={"email": world.ada.email, "password": "nope"})
    unknown = anon.post("/v1/auth/login", json={"email": "zed@example.test", "password": "nope"})
    assert assert_error(wrong, 401, "invalid_credentials") == assert_error(
        unknown, 401, "invalid_credentials"
    )


def test_disabled_rep_cannot_sign_in(world: World, anon: httpx.Client) -> None:
    r = anon.post("/v1/auth/login", json={"email": world.carol.email, "password": PASSWORD})
    assert_error(r, 401, "account_disabled")
    # Without the right password the account's state is not revealed.
    r = anon.post("/v1/auth/login", json={"email": world.carol.email, "password": "x"})
    assert_error(r, 401, "invalid_credentials")


def test_disabling_a_rep_stops_their_tokens(
    world: World, embedded_hub: EmbeddedHub, client_for: Callable[[str], httpx.Client]
) -> None:
    ada = client_for(world.ada.email)
    assert ada.get("/v1/sync/pull").status_code == 200
    with embedded_hub.state.db.write() as s:
        rep = s.get(Rep, world.ada.id)
        assert rep is not None
        rep.disabled = True
    assert_error(ada.get("/v1/sync/pull"), 401, "account_disabled")


def test_missing_unknown_and_malformed_tokens_are_401(world: World, anon: httpx.Client) -> None:
    r = anon.get("/v1/sync/pull")
    assert_error(r, 401, "missing_token")
    assert r.headers["WWW-Authenticate"] == "Bearer"
    assert_error(
        anon.get("/v1/sync/pull", headers={"Authorization": "Bearer not-a-token"}),
        401,
        "invalid_token",
    )
    assert_error(
        anon.get("/v1/sync/pull", headers={"Authorization": "Basic YWxpY2U6eA=="}),
        401,
        "missing_token",
    )
    assert_error(
        anon.get("/v1/sync/pull", headers={"Authorization": "Bearer " + "x" * 5000}),
        401,
        "invalid_token",
    )
    for path in ("/v1/sync/push", "/v1/auth/logout"):
        assert_error(anon.post(path, json={}), 401, "missing_token")
    assert_error(anon.get(f"/v1/collateral/{world.collateral[0].sha256}"), 401, "missing_token")


def test_logout_revokes_the_token(world: World, client_for: Callable[[str], httpx.Client]) -> None:
    ada = client_for(world.ada.email)
    other_device = client_for(world.ada.email)
    assert ada.post("/v1/auth/logout").status_code == 204
    assert_error(ada.get("/v1/sync/pull"), 401, "token_revoked")
    assert_error(ada.post("/v1/auth/logout"), 401, "token_revoked")
    assert other_device.get("/v1/sync/pull").status_code == 200


def test_expired_token_is_401(world: World, embedded_hub: EmbeddedHub, anon: httpx.Client) -> None:
    with embedded_hub.state.db.write() as s:
        rep = s.get(Rep, world.ada.id)
        assert rep is not None
        token = auth.issue_token(s, rep, timedelta(hours=1), now=utcnow() - timedelta(hours=2))
    r = anon.get("/v1/sync/pull", headers={"Authorization": f"Bearer {token}"})
    assert_error(r, 401, "token_expired")


def test_repeated_failures_for_one_account_are_throttled(
    world: World, embedded_hub: EmbeddedHub, anon: httpx.Client
) -> None:
    limit = embedded_hub.config.login_throttle.per_account
    for _ in range(limit):
        r = anon.post("/v1/auth/login", json={"email": world.ada.email, "password": "bad"})
        assert r.status_code == 401
    # Even the right password waits now: the point is to stop guessing.
    r = anon.post("/v1/auth/login", json={"email": world.ada.email, "password": PASSWORD})
    assert_error(r, 429, "too_many_attempts")
    retry_after = int(r.headers["Retry-After"])
    assert 1 <= retry_after <= embedded_hub.config.login_throttle.window.total_seconds() + 1
    # Another account from the same address is not locked out by Ada's failures.
    r = anon.post("/v1/auth/login", json={"email": world.bob.email, "password": PASSWORD})
    assert r.status_code == 200


def test_repeated_failures_from_one_address_are_throttled(
    world: World, embedded_hub: EmbeddedHub, anon: httpx.Client
) -> None:
    limit = embedded_hub.config.login_throttle.per_address
    for i in range(limit):
        r = anon.post("/v1/auth/login", json={"email": f"guess{i}@example.test", "password": "x"})
        assert r.status_code == 401
    r = anon.post("/v1/auth/login", json={"email": world.bob.email, "password": PASSWORD})
    assert_error(r, 429, "too_many_attempts")
    assert int(r.headers["Retry-After"]) >= 1


def test_success_forgets_earlier_failures(
    world: World, embedded_hub: EmbeddedHub, anon: httpx.Client
) -> None:
    limit = embedded_hub.config.login_throttle.per_account
    for _ in range(limit - 1):
        anon.post("/v1/auth/login", json={"email": world.ada.email, "password": "bad"})
    ok = anon.post("/v1/auth/login", json={"email": world.ada.email, "password": PASSWORD})
    assert ok.status_code == 200
    for _ in range(limit - 1):
        r = anon.post("/v1/auth/login", json={"email": world.ada.email, "password": "bad"})
        assert r.status_code == 401
