"""`repdesk-hub serve --workers N`: N processes answer on one port, the database is
migrated once by the parent (workers refuse an older schema instead of migrating), and
several hubs starting at once on one PostgreSQL database migrate it safely."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from alembic import command
from sqlalchemy import text
from tests.support.fault_fixtures import free_port
from tests.support.hub_fixtures import new_hub, pg_schema_url

from repdesk.hub.app import NotMigratedError, open_state
from repdesk.hub.config import DATABASE_ENV, HubConfig
from repdesk.hub.db.engine import Database
from repdesk.hub.db.migrate import alembic_config, current_revision, head_revision

PREVIOUS = "0008"
"""The schema before this release's change-log migration."""
GUARD = 60.0


def _hub_at_previous_schema(config: HubConfig) -> None:
    with new_hub(config):
        pass
    command.downgrade(alembic_config(config.database_url), PREVIOUS)


def _revision(url: str) -> str | None:
    db = Database(url)
    try:
        return current_revision(db.engine)
    finally:
        db.dispose()


@pytest.fixture
def pg_config(pg_url: str, tmp_path: Path) -> Iterator[HubConfig]:
    for url in pg_schema_url(pg_url):
        config = HubConfig.resolve(tmp_path / "hub", database_url=url)
        _hub_at_previous_schema(config)
        yield config


def _cli(config: HubConfig, *args: str) -> list[str]:
    return [sys.executable, "-m", "repdesk.hub.cli", "--home", str(config.home), *args]


def _env(config: HubConfig) -> dict[str, str]:
    return {**os.environ, DATABASE_ENV: config.database_url}


def _workers(pid: int) -> set[int]:
    """The child processes of `pid` but multiprocessing's resource tracker."""
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(c) for c in (task / "children").read_text().split()}
    return {c for c in found if b"resource_tracker" not in Path(f"/proc/{c}/cmdline").read_bytes()}


def test_serve_with_two_workers_migrates_once_and_both_answer(
    pg_config: HubConfig, tmp_path: Path
) -> None:
    port = free_port()
    out, err = tmp_path / "serve.out", tmp_path / "serve.err"
    with out.open("w") as stdout, err.open("w") as stderr:  # files: a full pipe would stall it
        proc = subprocess.Popen(
            _cli(pg_config, "serve", "--workers", "2", "--port", str(port)),
            env=_env(pg_config),
            stdout=stdout,
            stderr=stderr,
        )
    try:
        assert _meta(port, proc, err) == 200
        assert "from 2 processes" in out.read_text().splitlines()[0]
        # The parent migrated before any worker started (a worker refuses an old schema).
        assert _revision(pg_config.database_url) == head_revision()
        workers: set[int] = set()
        answered: set[int] = set()
        db = Database(pg_config.database_url)
        try:
            for _round in range(50):
                with ThreadPoolExecutor(8) as pool:
                    codes = list(pool.map(lambda _: _meta(port, proc, err), range(16)))
                assert set(codes) == {200}
                workers = _workers(proc.pid)
                with db.read() as s:
                    names = s.scalars(
                        text(
                            "SELECT application_name FROM pg_stat_activity "
                            "WHERE application_name LIKE 'repdesk-hub pid %'"
                        )
                    ).all()
                answered = {int(n.rsplit(" ", 1)[1]) for n in names} & workers
                if len(answered) == 2:
                    break
        finally:
            db.dispose()
        assert len(workers) == 2
        assert answered == workers  # each worker served requests from its own pool
    finally:
        proc.terminate()
        proc.wait(timeout=GUARD)


def _meta(port: int, proc: subprocess.Popen[bytes], err: Path) -> int:
    """GET /v1/sync/meta on a new connection, once the workers listen."""
    for _attempt in range(600):
        try:
            return httpx.get(f"http://127.0.0.1:{port}/v1/sync/meta", timeout=10).status_code
        except httpx.TransportError:
            try:  # paces the retries and notices a server that died on start-up
                proc.wait(timeout=0.05)
            except subprocess.TimeoutExpired:
                continue
            raise AssertionError(err.read_text()[-3000:]) from None
    raise AssertionError("the hub did not start listening")


def test_a_worker_refuses_a_database_below_the_newest_schema(
    tmp_path: Path, hub_db_url: str
) -> None:
    config = HubConfig.resolve(tmp_path / "hub", database_url=hub_db_url)
    _hub_at_previous_schema(config)
    with pytest.raises(NotMigratedError, match="repdesk-hub migrate"):
        open_state(config, migrate=False)
    assert _revision(hub_db_url) == PREVIOUS  # a worker never migrates


def test_hubs_starting_at_once_on_one_postgresql_migrate_it_once(pg_config: HubConfig) -> None:
    procs = [
        subprocess.Popen(
            _cli(pg_config, "migrate"),
            env=_env(pg_config),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outcomes = [p.communicate(timeout=GUARD) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outcomes
    assert all(f"at schema {head_revision()}" in out for out, _ in outcomes)
    assert _revision(pg_config.database_url) == head_revision()
