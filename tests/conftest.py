"""Shared test set-up: offscreen Qt, an in-memory keyring, isolated data directories.

Fixtures shared by more than one folder are in the `tests/support` plugins listed in
`pytest_plugins` below, named for what they give (`embedded_hub`, `live_hub`, `rep_store`,
`app_ctx`, ...); test modules never import fixtures by name. A folder's conftest.py holds
only what that folder alone uses.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Must happen before anything imports Qt.
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("QT_QUICK_BACKEND", "software")

pytest_plugins = [
    "pytester",
    "tests.support.browser_plugin",  # chromium, new_page, screenshot
    "tests.support.hub_fixtures",  # embedded_hub, hub_admin, client_for, anon, ...
    "tests.support.sync_fixtures",  # live_hub, make_client
    "tests.support.world",  # world, live_world: the seeded hub
    "tests.support.gui_fixtures",  # rep_store, app_ctx, sync_engine, seeded_ctx, demo_hub, ...
    "tests.support.tls",  # untrusted_tls_server
    "tests.support.fault_fixtures",  # fork_server (the kill -9 driver)
    "tests.support.s3_fixtures",  # moto_s3, s3_bucket, hub_config_each_store
]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-slow", action="store_true", help="also run long fault/soak tests")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-slow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --run-slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _isolated_environment(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """No test ever touches the developer's real data dir or OS keyring."""
    home = tmp_path_factory.mktemp("repdesk-home")
    monkeypatch.setenv("REPDESK_HOME", str(home))
    monkeypatch.setenv("REPDESK_HUB_HOME", str(home / "hub"))
    if os.environ.get("REPDESK_TEST_REAL_KEYRING") != "1":
        import keyring

        from tests.memory_keyring import MemoryKeyring

        previous = keyring.get_keyring()
        keyring.set_keyring(MemoryKeyring())
        # Commands the tests start as processes get one too (empty, per process): they
        # never reach the developer's keyring, nor stop to ask for a cache passphrase.
        monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tests.memory_keyring.MemoryKeyring")
        yield
        keyring.set_keyring(previous)
    else:
        yield


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def pg_url() -> str:
    """A real PostgreSQL URL; the test is skipped, visibly, when none is configured."""
    url = os.environ.get("REPDESK_TEST_PG_URL", "")
    if not url:
        pytest.skip("no PostgreSQL: set REPDESK_TEST_PG_URL (CI does, via start-postgres.sh)")
    return url
