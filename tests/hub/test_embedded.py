"""EmbeddedHub: serves on a real loopback port, returns only once it accepts
connections, and stops cleanly (the port is released, the thread joined)."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import httpx
import pytest
from tests.support import hub_rows as seed

from repdesk.hub.config import HubConfig
from repdesk.hub.embedded import EmbeddedHub


def test_start_returns_a_live_url_and_stop_releases_the_port(tmp_path: Path) -> None:
    hub = EmbeddedHub(HubConfig.resolve(tmp_path / "hub"))
    base_url = hub.start()
    assert base_url == f"http://127.0.0.1:{hub.port}" and hub.port > 0
    assert httpx.get(f"{base_url}/v1/sync/meta", timeout=10).status_code == 200
    assert hub.start() == base_url  # idempotent
    threads_before = {t.name for t in threading.enumerate()}
    assert "repdesk-hub" in threads_before
    hub.stop()
    assert "repdesk-hub" not in {t.name for t in threading.enumerate()}
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", hub.port), timeout=2):
        pass
    hub.stop()  # idempotent


def test_context_manager_and_persistence_across_restarts(tmp_path: Path) -> None:
    config = HubConfig.resolve(tmp_path / "hub")
    first = EmbeddedHub(config)
    with first as base_url:
        seed.add_rep(first.state.db, "dana@example.test", "pw-123456")
        epoch = first.state.epoch
        assert httpx.get(f"{base_url}/v1/sync/pull", timeout=10).status_code == 401
    second = EmbeddedHub(config)
    with second as base_url:
        r = httpx.post(
            f"{base_url}/v1/auth/login",
            json={"email": "dana@example.test", "password": "pw-123456"},
            timeout=10,
        )
        assert r.status_code == 200
        assert second.state.epoch == epoch  # cursors stay valid across restarts


def test_state_is_unavailable_before_start(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="not started"):
        _ = EmbeddedHub(HubConfig.resolve(tmp_path / "hub")).state


def test_a_port_in_use_fails_start_with_an_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        hub = EmbeddedHub(HubConfig.resolve(tmp_path / "hub"), port=taken.getsockname()[1])
        with pytest.raises(RuntimeError, match="did not start"):
            hub.start()
    assert "repdesk-hub" not in {t.name for t in threading.enumerate()}


def test_old_sign_in_attempts_are_pruned_at_start(tmp_path: Path) -> None:
    from datetime import timedelta

    from sqlalchemy import select

    from repdesk.domain.ids import utcnow
    from repdesk.hub.auth import record_attempt
    from repdesk.hub.db.models import LoginAttempt

    config = HubConfig.resolve(tmp_path / "hub")
    hub = EmbeddedHub(config)
    with hub, hub.state.db.write() as s:
        record_attempt(s, "old@x.test", "1.2.3.4", False, now=utcnow() - timedelta(days=2))
        record_attempt(s, "new@x.test", "1.2.3.4", False)
    restarted = EmbeddedHub(config)
    with restarted, restarted.state.db.read() as s:
        emails = set(s.scalars(select(LoginAttempt.email)))
    assert emails == {"new@x.test"}
