"""Password hashing and the throttle's arithmetic, without a server."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from repdesk.domain.ids import utcnow
from repdesk.hub import auth
from repdesk.hub.config import LoginThrottle
from repdesk.hub.db.engine import Database, sqlite_url
from repdesk.hub.db.migrate import upgrade_database


def test_password_hash_verifies_only_the_password() -> None:
    hashed = auth.hash_password("s3cret")
    assert hashed.startswith("$argon2id$")
    assert auth.verify_password(hashed, "s3cret")
    assert not auth.verify_password(hashed, "s3cret ")
    assert not auth.verify_password("not a hash", "s3cret")


def test_throttle_window_slides(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "hub.db")
    upgrade_database(url)
    db = Database(url)
    policy = LoginThrottle(per_account=3, per_address=100, window=timedelta(minutes=10))
    t0 = utcnow()
    with db.write() as s:
        for i in range(3):
            auth.record_attempt(s, "a@x.test", "10.0.0.1", False, now=t0 + timedelta(minutes=i))
    with db.read() as s:
        verdict = auth.check_throttle(
            s, "A@x.test", "10.0.0.1", policy, now=t0 + timedelta(minutes=3)
        )
        assert not verdict.allowed
        # The oldest of the three leaves the window 10 minutes after it happened.
        assert 7 * 60 <= verdict.retry_after <= 7 * 60 + 1
        later = auth.check_throttle(
            s, "a@x.test", "10.0.0.1", policy, now=t0 + timedelta(minutes=10, seconds=1)
        )
        assert later.allowed
    db.dispose()
