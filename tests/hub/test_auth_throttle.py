"""Sign-in throttling counts only failures, per account-and-address, per address, and per
account from addresses that fail: many reps behind one proxy all get in, and a stranger's
guesses never lock a rep out of their own account (issue 10, defect 1)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from repdesk.domain.ids import utcnow
from repdesk.hub import auth
from repdesk.hub.config import LoginThrottle
from repdesk.hub.db.engine import Database
from repdesk.hub.db.migrate import upgrade_database

POLICY = LoginThrottle(per_account=5, per_address=20, per_account_anywhere=50)
PROXY = "10.0.0.1"


@pytest.fixture
def db(hub_db_url: str) -> Iterator[Database]:
    upgrade_database(hub_db_url)
    database = Database(hub_db_url)
    yield database
    database.dispose()


def _fail(db: Database, email: str, address: str, times: int = 1) -> None:
    with db.write() as s:
        for _ in range(times):
            verdict = auth.reserve_attempt(s, email, address, POLICY)
            assert verdict.allowed
            auth.settle_attempt(s, verdict, email, success=False)


def _allowed(db: Database, email: str, address: str) -> bool:
    with db.read() as s:
        return auth.check_throttle(s, email, address, POLICY).allowed


def test_many_reps_signing_in_at_once_from_one_proxy_all_get_in(db: Database) -> None:
    # Thirty sign-ins in flight at once from one address: none has failed yet.
    with db.write() as s:
        verdicts = [auth.reserve_attempt(s, f"rep{i}@x.test", PROXY, POLICY) for i in range(30)]
    assert all(v.allowed for v in verdicts)
    with db.write() as s:
        for i, verdict in enumerate(verdicts):
            auth.settle_attempt(s, verdict, f"rep{i}@x.test", success=True)
    assert _allowed(db, "rep31@x.test", PROXY)


def test_a_strangers_guesses_do_not_lock_the_owner_out(db: Database) -> None:
    _fail(db, "alice@x.test", "203.0.113.9", POLICY.per_account)
    assert not _allowed(db, "alice@x.test", "203.0.113.9")  # the guesser waits
    assert _allowed(db, "alice@x.test", PROXY)  # alice, from her own address, does not


def test_an_address_with_no_failures_is_never_refused(db: Database) -> None:
    # Guesses at alice from many addresses, more than the account's overall limit.
    with db.write() as s:
        for n in range(POLICY.per_account_anywhere + 1):
            auth.record_attempt(s, "alice@x.test", f"198.51.100.{n % 100}", success=False)
    assert _allowed(db, "alice@x.test", PROXY)
    # ... but an address that fails too meets the account's overall limit.
    _fail(db, "bob@x.test", "192.0.2.7")
    assert not _allowed(db, "alice@x.test", "192.0.2.7")


def test_one_address_guessing_many_accounts_is_stopped(db: Database) -> None:
    for n in range(POLICY.per_address):
        _fail(db, f"guess{n}@x.test", "192.0.2.50")
    assert not _allowed(db, "carol@x.test", "192.0.2.50")
    assert _allowed(db, "carol@x.test", PROXY)


def test_a_burst_of_guesses_for_one_account_cannot_overshoot(db: Database) -> None:
    # Reserved attempts still being checked count for their own account-and-address.
    with db.write() as s:
        verdicts = [auth.reserve_attempt(s, "dan@x.test", PROXY, POLICY) for _ in range(8)]
    assert [v.allowed for v in verdicts] == [True] * 5 + [False] * 3


def test_success_forgets_the_accounts_failures(db: Database) -> None:
    _fail(db, "erin@x.test", PROXY, POLICY.per_account - 1)
    with db.write() as s:
        verdict = auth.reserve_attempt(s, "erin@x.test", PROXY, POLICY)
        auth.settle_attempt(s, verdict, "erin@x.test", success=True)
    _fail(db, "erin@x.test", PROXY, POLICY.per_account - 1)
    assert _allowed(db, "erin@x.test", PROXY)
    with db.read() as s:
        late = auth.check_throttle(
            s, "erin@x.test", PROXY, POLICY, now=utcnow() + timedelta(minutes=16)
        )
    assert late.allowed
