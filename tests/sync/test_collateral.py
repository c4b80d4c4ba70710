"""The collateral cache: content-addressed, verified, resumable, LRU-capped, disk-full safe."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from repdesk.domain.errors import CollateralError, DiskFullError, NetworkError
from repdesk.domain.leads import Collateral
from repdesk.sync.collateral import CollateralCache
from repdesk.sync.http import HubClient
from tests.support.corpus import corpus_pdfs
from tests.sync.scripted import Reply, ScriptedServer, ranged_file, scripted_server


def item(data: bytes, title: str = "Pricing sheet") -> Collateral:
    sha = hashlib.sha256(data).hexdigest()
    return Collateral(id=f"c-{sha[:8]}", title=title, sha256=sha, size=len(data), media_type="x")


def pdf_bytes() -> bytes:
    return corpus_pdfs()[0].read_bytes()


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with scripted_server() as srv:
        yield srv


@pytest.fixture
def client(server: ScriptedServer) -> Iterator[HubClient]:
    with HubClient(server.url, token="t") as c:
        yield c


def url(it: Collateral) -> str:
    return f"/v1/collateral/{it.sha256}"


def test_fetch_stores_by_hash_and_verifies(
    server: ScriptedServer, client: HubClient, tmp_path: Path
) -> None:
    data = pdf_bytes()
    it = item(data)
    server.script("GET", url(it), Reply(200, data, {"Content-Disposition": "filename=../x.sh"}))
    cache = CollateralCache(tmp_path / "cache")
    path = cache.fetch(client, it)
    assert path == tmp_path / "cache" / it.sha256[:2] / it.sha256
    assert hashlib.sha256(path.read_bytes()).hexdigest() == it.sha256
    assert cache.path_for(it.sha256) == path
    assert sorted(p.name for p in (tmp_path / "cache").rglob("*")) == sorted(
        [it.sha256[:2], it.sha256]
    )
    # Already cached: no second request.
    assert cache.fetch(client, it) == path
    assert len(server.requests("GET", url(it))) == 1


def test_corrupt_download_is_discarded(
    server: ScriptedServer, client: HubClient, tmp_path: Path
) -> None:
    data = pdf_bytes()
    it = item(data)
    tampered = bytes([data[0] ^ 0xFF]) + data[1:]
    server.script("GET", url(it), Reply(200, tampered))
    cache = CollateralCache(tmp_path / "cache")
    with pytest.raises(CollateralError, match="did not arrive intact"):
        cache.fetch(client, it)
    assert cache.path_for(it.sha256) is None
    assert [p for p in (tmp_path / "cache").rglob("*") if p.is_file()] == []


def test_truncated_download_resumes_with_range(
    server: ScriptedServer, client: HubClient, tmp_path: Path
) -> None:
    data = os.urandom(300_000)
    it = item(data)
    server.script(
        "GET",
        url(it),
        Reply(200, data, {"ETag": '"e1"'}, cut_after=120_000),
        ranged_file(data, '"e1"'),
    )
    cache = CollateralCache(tmp_path / "cache")
    with pytest.raises(NetworkError):
        cache.fetch(client, it)
    assert cache.path_for(it.sha256) is None
    path = cache.fetch(client, it)
    resumed = server.requests("GET", url(it))[1]
    assert resumed.headers["range"].startswith("bytes=")
    assert int(resumed.headers["range"][6:-1]) > 0
    assert resumed.headers["if-range"] == '"e1"'
    assert path.read_bytes() == data
    assert [p.name for p in path.parent.iterdir()] == [it.sha256]


def test_path_for_rejects_anything_but_a_hash(tmp_path: Path) -> None:
    cache = CollateralCache(tmp_path / "cache")
    (tmp_path / "secret").write_text("x")
    for bad in ["../secret", "..", "", "A" * 64, "0" * 63, "/etc/passwd"]:
        assert cache.path_for(bad) is None


def _install(cache: CollateralCache, data: bytes, mtime: float) -> str:
    sha = hashlib.sha256(data).hexdigest()
    path = cache.cache_dir / sha[:2] / sha
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (mtime, mtime))
    return sha


def test_eviction_is_lru_and_spares_wanted_files(tmp_path: Path) -> None:
    cache = CollateralCache(tmp_path / "cache", max_bytes=3000)
    oldest_wanted = _install(cache, b"a" * 1000, 100)
    old = _install(cache, b"b" * 1000, 200)
    newer = _install(cache, b"c" * 1000, 300)
    assert cache.evict(keep={oldest_wanted}, need=0) == []
    removed = cache.evict(keep={oldest_wanted}, need=1000)
    assert removed == [old]
    assert cache.has(oldest_wanted) and cache.has(newer) and not cache.has(old)
    # Using a file makes it recent: now `newer` is used, nothing else can go.
    assert cache.path_for(newer) is not None
    assert cache.evict(keep={oldest_wanted, newer}, need=5000) == []
    assert cache.usage() == 2000


def test_fetch_makes_room_first(server: ScriptedServer, client: HubClient, tmp_path: Path) -> None:
    cache = CollateralCache(tmp_path / "cache", max_bytes=250_000)
    stale = _install(cache, os.urandom(200_000), 100)
    data = os.urandom(100_000)
    it = item(data)
    server.script("GET", url(it), Reply(200, data))
    cache.fetch(client, it, keep={it.sha256})
    assert not cache.has(stale)
    assert cache.usage() == 100_000


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux /dev/full")
def test_full_disk_leaves_nothing_behind(
    server: ScriptedServer, client: HubClient, tmp_path: Path
) -> None:
    """The partial file is a symlink to /dev/full, whose writes fail with a real ENOSPC."""
    data = os.urandom(100_000)
    it = item(data)
    server.script("GET", url(it), Reply(200, data))
    cache = CollateralCache(tmp_path / "cache")
    shard = tmp_path / "cache" / it.sha256[:2]
    shard.mkdir(parents=True)
    (shard / f"{it.sha256}.partial").symlink_to("/dev/full")
    with pytest.raises(DiskFullError, match="disk is full"):
        cache.fetch(client, it)
    assert cache.path_for(it.sha256) is None
    assert list(shard.iterdir()) == []
