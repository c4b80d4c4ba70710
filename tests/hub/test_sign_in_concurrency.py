"""Many reps signing in at once (issue 9, `hub.concurrent`): a sign-in waits for neither
marketing's writers nor the request threads, and the throttle still counts a burst of
guesses at one account made in parallel transactions."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import func, select
from tests.hub.helpers import assert_error
from tests.support import hub_rows as seed
from tests.support.hub_fixtures import PASSWORD, HeldPasswordChecks
from tests.support.world import World

from repdesk.hub import auth
from repdesk.hub.admin.hub import Hub
from repdesk.hub.admin.reps import reset_password
from repdesk.hub.config import LoginThrottle
from repdesk.hub.db.engine import Database
from repdesk.hub.db.models import LoginAttempt
from repdesk.hub.embedded import EmbeddedHub

SIGN_INS = 60
"""More sign-ins in flight than the request thread pool has threads (40, AnyIO's default)."""


@pytest.mark.postgres
def test_a_sign_in_does_not_wait_for_a_held_writers_lock(
    world: World, embedded_hub: EmbeddedHub, anon: httpx.Client
) -> None:
    """Marketing's writer (an import, an assignment) holds the exclusive writers lock;
    a rep's sign-in writes only its own attempt and token rows and goes through."""
    db = embedded_hub.state.db
    if db.sqlite:
        pytest.skip("SQLite has one writer per file: every write waits for it")
    with db.write() as held:
        held.execute(select(1))  # the exclusive writers lock is held until the block ends
        r = anon.post(
            "/v1/auth/login",
            json={"email": world.ada.email, "password": PASSWORD},
            timeout=15,
        )
        assert r.status_code == 200
    with db.read() as s:
        assert auth.rep_for_token(s, r.json()["token"]) is not None


def _wait_for(condition: Callable[[], bool], what: str, seconds: float = 30) -> None:
    done = threading.Event()
    for _ in range(int(seconds * 20)):
        if condition():
            return
        done.wait(0.05)
    raise AssertionError(f"gave up waiting for {what}")


def test_sign_ins_waiting_for_their_password_check_hold_no_request_thread(
    world: World,
    embedded_hub: EmbeddedHub,
    client_for: Callable[[str], httpx.Client],
    password_hash: str,
    held_password_checks: HeldPasswordChecks,
) -> None:
    """Fault injected with a mock: every password check blocks until released, so all
    the sign-ins are in flight at once. More of them than the request threads must not
    stop a signed-in rep's pull, and every one succeeds once released."""
    db = embedded_hub.state.db
    emails = [f"burst{i}@example.test" for i in range(SIGN_INS)]
    for email in emails:
        seed.add_rep(db, email, PASSWORD, password_hash=password_hash)
    ada = client_for(world.ada.email)  # signed in before the burst
    release = held_password_checks.hold().release

    async def sign_in_all() -> list[int]:
        async with httpx.AsyncClient(base_url=embedded_hub.base_url, timeout=90) as client:
            answers = await asyncio.gather(
                *(
                    client.post("/v1/auth/login", json={"email": e, "password": PASSWORD})
                    for e in emails
                )
            )
        return [a.status_code for a in answers]

    def reserved() -> int:
        with db.read() as s:
            return int(
                s.scalar(
                    select(func.count())
                    .select_from(LoginAttempt)
                    .where(LoginAttempt.settled.is_(False))
                )
                or 0
            )

    with ThreadPoolExecutor(1) as pool:
        burst = pool.submit(asyncio.run, sign_in_all())
        try:
            _wait_for(lambda: reserved() == SIGN_INS, f"{SIGN_INS} sign-ins in flight")
            pulled = ada.get("/v1/sync/pull", timeout=15)
            assert pulled.status_code == 200
        finally:
            release.set()
        assert burst.result(timeout=120) == [200] * SIGN_INS
    assert reserved() == 0


@pytest.mark.postgres
def test_a_parallel_burst_of_guesses_for_one_account_cannot_overshoot(
    embedded_hub: EmbeddedHub,
) -> None:
    """Two sign-in transactions reserving attempts for one account at the same moment
    are taken in turn: the account's limit holds across them."""
    db: Database = embedded_hub.state.db
    policy = LoginThrottle(per_account=5, per_address=50, per_account_anywhere=50)
    start = threading.Barrier(2)

    def burst() -> list[bool]:
        start.wait(30)
        with db.write(sign_in="dan@x.test") as s:
            return [
                auth.reserve_attempt(s, "dan@x.test", "10.0.0.1", policy).allowed for _ in range(5)
            ]

    with ThreadPoolExecutor(2) as pool:
        allowed = [ok for f in [pool.submit(burst), pool.submit(burst)] for ok in f.result()]
    assert allowed.count(True) == 5


def test_a_password_reset_during_the_check_refuses_the_old_password(
    world: World, embedded_hub: EmbeddedHub, held_password_checks: HeldPasswordChecks
) -> None:
    """Fault injected with a mock: the password check blocks until marketing has reset
    the password (the check runs outside any transaction, so this can happen). The old
    password must not get a token after the reset that ended the rep's sessions."""
    admin = Hub(embedded_hub.config, embedded_hub.state.db, embedded_hub.state.files)
    held = held_password_checks.hold()
    with ThreadPoolExecutor(1) as pool:
        old = pool.submit(
            httpx.post,
            f"{embedded_hub.base_url}/v1/auth/login",
            json={"email": world.ada.email, "password": PASSWORD},
            timeout=60,
        )
        try:
            assert held.checking.wait(30)
            held.let_through()
            reset_password(admin, world.ada.email, "a brand new passphrase")
        finally:
            held.release.set()
        assert_error(old.result(timeout=60), 401, "invalid_credentials")
