"""Sign-in hardening: proxy headers are not trusted unless the operator names the proxy,
the throttle's check and count are one step (a parallel burst cannot overshoot), and
`tokens.last_used_at` is kept (at most one write a minute per token)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import select
from tests.support.world import World

from repdesk.hub import auth
from repdesk.hub.config import HubConfig, LoginThrottle
from repdesk.hub.db import models as m
from repdesk.hub.embedded import EmbeddedHub
from repdesk.hub.serving import uvicorn_config

Clients = Callable[[str], httpx.Client]
STRICT = LoginThrottle(per_account=5, per_address=3, window=timedelta(minutes=15))


@contextmanager
def running(tmp_path: Path, forwarded_allow_ips: str | None) -> Iterator[str]:
    config = HubConfig.resolve(tmp_path / "hub", login_throttle=STRICT)
    embedded_hub = EmbeddedHub(config, forwarded_allow_ips=forwarded_allow_ips)
    try:
        yield embedded_hub.start()
    finally:
        embedded_hub.stop()
        embedded_hub.state.db.dispose()


def failed_logins(base_url: str, count: int) -> list[int]:
    """`count` wrong sign-ins for different accounts, each claiming another address."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        return [
            client.post(
                "/v1/auth/login",
                json={"email": f"nobody{i}@example.test", "password": "wrong"},
                headers={"X-Forwarded-For": f"203.0.113.{i + 1}"},
            ).status_code
            for i in range(count)
        ]


def test_x_forwarded_for_is_ignored_by_default(tmp_path: Path) -> None:
    with running(tmp_path, None) as url:
        # Every attempt comes from 127.0.0.1 whatever the header says: the 4th is refused.
        assert failed_logins(url, 4) == [401, 401, 401, 429]


def test_x_forwarded_for_is_used_from_a_named_proxy(tmp_path: Path) -> None:
    with running(tmp_path, "127.0.0.1") as url:
        assert failed_logins(url, 4) == [401] * 4  # four different client addresses


def test_serve_passes_the_option_to_uvicorn() -> None:
    off = uvicorn_config(object(), "127.0.0.1", 0)
    assert off.proxy_headers is False
    on = uvicorn_config(object(), "127.0.0.1", 0, forwarded_allow_ips="10.0.0.5")
    assert on.proxy_headers is True and on.forwarded_allow_ips == "10.0.0.5"


def test_a_parallel_burst_of_guesses_cannot_overshoot_the_limit(
    world: World, embedded_hub: EmbeddedHub
) -> None:
    limit = embedded_hub.config.login_throttle.per_account

    def guess(_: int) -> int:
        with httpx.Client(base_url=embedded_hub.base_url, timeout=30) as client:
            body = {"email": world.ada.email, "password": "not it"}
            return client.post("/v1/auth/login", json=body).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(guess, range(3 * limit)))
    assert codes.count(401) == limit
    assert codes.count(429) == 2 * limit


def test_last_used_at_is_kept_at_most_once_a_minute(
    world: World, embedded_hub: EmbeddedHub, client_for: Clients
) -> None:
    """The sign-in is the token's first use: the requests that follow it within the
    minute write nothing (fifty reps signing in at once then pulling made fifty writes
    that queued with their pushes for SQLite's one writer)."""
    ada = client_for(world.ada.email)

    def last_used() -> list[object]:
        with embedded_hub.state.db.read() as s:
            return list(
                s.scalars(select(m.Token.last_used_at).where(m.Token.rep_id == world.ada.id))
            )

    with embedded_hub.state.db.read() as s:
        issued = s.scalars(select(m.Token.created_at).where(m.Token.rep_id == world.ada.id)).one()
    [first] = last_used()
    assert first == issued
    assert ada.get("/v1/sync/pull").status_code == 200
    assert ada.get("/v1/sync/pull").status_code == 200
    assert last_used() == [first]  # within the minute: no write
    with embedded_hub.state.db.write() as s:
        token = s.scalars(select(m.Token).where(m.Token.rep_id == world.ada.id)).one()
        token.last_used_at = first - auth.TOKEN_USE_PRECISION  # type: ignore[operator]
    assert ada.get("/v1/sync/pull").status_code == 200
    [later] = last_used()
    assert later is not None and later > first  # type: ignore[operator]
