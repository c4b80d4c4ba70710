"""Collateral on a directory several hub processes share (`--files-dir`): writers in two
processes at once leave only whole, correctly named files; two hub processes on one
PostgreSQL database serve the same file from it, and from one S3 bucket (`--files-s3`,
moto's server on loopback)."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from tests.support import hub_rows
from tests.support.fault_fixtures import free_port
from tests.support.hub_fixtures import PASSWORD, new_hub, pg_schema_url
from tests.support.s3_fixtures import S3Bucket

from repdesk.hub.config import DATABASE_ENV, HubConfig
from repdesk.hub.db import models as m
from repdesk.hub.files import INCOMING, DirectoryFiles

BLOBS = 40
GUARD = 60.0


def _blob(i: int, writer: int) -> bytes:
    # Even blobs are the same in both writers (a race on one name), odd ones their own.
    owner = 0 if i % 2 == 0 else writer
    return f"blob {i} of {owner} ".encode() * (2000 + 37 * i)


def _store(root: str, writer: int, start: multiprocessing.synchronize.Event) -> None:
    files = DirectoryFiles(Path(root))
    start.wait(GUARD)
    for i in range(BLOBS):
        files.put_bytes(_blob(i, writer))


def test_two_processes_writing_one_directory_at_once_leave_whole_files(tmp_path: Path) -> None:
    root = tmp_path / "shared" / "collateral"
    spawn = multiprocessing.get_context("spawn")
    start = spawn.Event()
    writers = [spawn.Process(target=_store, args=(str(root), w, start)) for w in (1, 2)]
    for writer in writers:
        writer.start()
    start.set()
    for writer in writers:
        writer.join(GUARD)
        assert writer.exitcode == 0
    expected = {hashlib.sha256(_blob(i, w)).hexdigest() for i in range(BLOBS) for w in (1, 2)}
    stored = {p.name: p.read_bytes() for p in root.glob("??/*")}
    assert set(stored) == expected
    assert all(hashlib.sha256(data).hexdigest() == name for name, data in stored.items())
    assert not list(root.glob(f"{INCOMING}*"))


def test_only_old_leftover_temp_files_are_removed(tmp_path: Path) -> None:
    files = DirectoryFiles(tmp_path)
    old, young = tmp_path / f"{INCOMING}dead", tmp_path / f"{INCOMING}live"
    old.write_bytes(b"half a file")
    young.write_bytes(b"being written on another host")
    day_ago = time.time() - 2 * 24 * 3600
    os.utime(old, (day_ago, day_ago))
    assert files.remove_stale_incoming() == 1
    assert not old.exists() and young.exists()


def _serve(home: Path, store: list[str], url: str) -> tuple[subprocess.Popen[str], int]:
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "repdesk.hub.cli",
            "--home",
            str(home),
            *store,
            "serve",
            "--port",
            str(port),
        ],  # fmt: skip
        env={**os.environ, DATABASE_ENV: url},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert "Serving the hub" in proc.stdout.readline()
    return proc, port


def _get(proc: subprocess.Popen[str], url: str, **kw: object) -> httpx.Response:
    """A request, once the server listens (it prints before uvicorn binds)."""
    for _attempt in range(600):
        try:
            return httpx.request(url=url, timeout=30, **kw)  # type: ignore[arg-type]
        except httpx.ConnectError:
            try:  # paces the retries and notices a server that died on start-up
                proc.wait(timeout=0.05)
            except subprocess.TimeoutExpired:
                continue
            raise AssertionError(proc.stderr.read() if proc.stderr else "exited") from None
    raise AssertionError(f"nothing listens at {url}")


@pytest.mark.parametrize("kind", ["directory", "s3"])
def test_two_hub_processes_serve_collateral_from_one_shared_store(
    pg_url: str, tmp_path: Path, password_hash: str, kind: str, request: pytest.FixtureRequest
) -> None:
    shared = tmp_path / "mount"
    store = ["--files-dir", str(shared)]
    if kind == "s3":
        bucket: S3Bucket = request.getfixturevalue("s3_bucket")
        store = ["--files-s3", bucket.url, "--s3-endpoint-url", bucket.endpoint]
    for url in pg_schema_url(pg_url):
        config = HubConfig.resolve(
            tmp_path / "admin",
            database_url=url,
            files_dir=shared,
            files_s3=bucket.url if kind == "s3" else None,
            s3_endpoint_url=bucket.endpoint if kind == "s3" else None,
        )
        content = b"%PDF-1.4 shared battlecard " * 500
        with new_hub(config) as hub:
            hub_rows.add_rep(hub.db, "ann@example.test", PASSWORD, password_hash=password_hash)
            _id, sha = hub_rows.add_collateral(hub.db, hub.files, content, "Battlecard")
            with hub.db.read() as s:
                assert s.scalar(select(m.Collateral.sha256)) == sha
        if kind == "s3":
            assert bucket.keys() == [f"hub/collateral/{sha[:2]}/{sha}"]
        else:
            assert (shared / "collateral" / sha[:2] / sha).read_bytes() == content
        hubs = [_serve(tmp_path / f"host-{n}", store, url) for n in "ab"]
        try:
            login = {"email": "ann@example.test", "password": PASSWORD}
            first = f"http://127.0.0.1:{hubs[0][1]}"
            token = _get(hubs[0][0], f"{first}/v1/auth/login", method="POST", json=login).json()[
                "token"
            ]
            for proc, port in hubs:
                got = _get(
                    proc,
                    f"http://127.0.0.1:{port}/v1/collateral/{sha}",
                    method="GET",
                    headers={"Authorization": f"Bearer {token}"},
                )
                assert got.status_code == 200 and got.content == content
        finally:
            for proc, _port in hubs:
                proc.terminate()
                proc.wait(timeout=GUARD)
