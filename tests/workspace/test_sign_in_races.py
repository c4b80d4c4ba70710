"""The workspace's sign-in beside other writers: a password reset during the slow check,
and marketing's own writers (an import, an assignment) holding the writers lock."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import select

from repdesk.hub.admin import users
from repdesk.hub.embedded import EmbeddedHub
from repdesk.hub.workspace.cookies import SESSION_COOKIE
from tests.support.hub_fixtures import HeldPasswordChecks

from .conftest import MARKETER_EMAIL, People, admin_hub, submit_sign_in


def test_a_password_reset_during_the_check_refuses_the_old_password(
    embedded_hub: EmbeddedHub, people: People, held_password_checks: HeldPasswordChecks
) -> None:
    """Fault injected with a mock: the password check blocks until an admin has reset
    the user's password (the check runs outside any transaction, so this can happen).
    The old password must not open a session after the reset that ended the others."""
    held = held_password_checks.hold()
    with httpx.Client(base_url=embedded_hub.base_url, timeout=60) as client:
        with ThreadPoolExecutor(1) as pool:
            old = pool.submit(submit_sign_in, client, MARKETER_EMAIL)
            try:
                assert held.checking.wait(30)
                held.let_through()
                users.reset_user_password(
                    admin_hub(embedded_hub), MARKETER_EMAIL, "a brand new one 42"
                )
            finally:
                held.release.set()
            answer = old.result(timeout=60)
        assert answer.status_code == 401
        assert "The email or password is not right." in answer.text
        assert SESSION_COOKIE not in client.cookies


@pytest.mark.postgres
def test_a_sign_in_does_not_wait_for_a_held_writers_lock(
    embedded_hub: EmbeddedHub, people: People, anon: httpx.Client
) -> None:
    """Marketing's writer (an import, an assignment) holds the exclusive writers lock;
    a colleague's sign-in writes only its attempt and session rows and goes through."""
    db = embedded_hub.state.db
    if db.sqlite:
        pytest.skip("SQLite has one writer per file: every write waits for it")
    with db.write() as held:
        held.execute(select(1))  # the exclusive writers lock is held until the block ends
        answer = submit_sign_in(anon, MARKETER_EMAIL)
        assert answer.status_code == 303
    assert anon.get("/workspace/").status_code == 200
