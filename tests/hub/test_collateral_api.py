"""Collateral download: GET, HEAD, single ranges, If-Range, 416 and what is not served;
each with the hub's files in a directory and in an S3 bucket (moto's server on loopback)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import httpx
import pytest
from tests.hub.helpers import assert_error
from tests.support.s3_fixtures import remove_stored
from tests.support.world import COLLATERAL_PDFS, World

from repdesk.hub.config import HubConfig
from repdesk.hub.db.models import Collateral
from repdesk.hub.embedded import EmbeddedHub
from repdesk.hub.sync import changes

Clients = Callable[[str], httpx.Client]
PDF_BYTES = COLLATERAL_PDFS[0].read_bytes()
"""`world.collateral[0]`, the file these tests fetch."""
SIZE = len(PDF_BYTES)


@pytest.fixture
def hub_config(hub_config_each_store: HubConfig) -> HubConfig:
    """Every test here once with the files in a directory and once in an S3 bucket."""
    return hub_config_each_store


@pytest.fixture
def bob(world: World, client_for: Clients) -> httpx.Client:
    """Any rep may fetch shared collateral; bob is not the one who owns the leads."""
    return client_for(world.bob.email)


def url(world: World) -> str:
    return f"/v1/collateral/{world.collateral[0].sha256}"


def test_get_streams_the_whole_file(world: World, bob: httpx.Client) -> None:
    r = bob.get(url(world))
    assert r.status_code == 200
    assert r.content == PDF_BYTES
    assert hashlib.sha256(r.content).hexdigest() == world.collateral[0].sha256
    assert r.headers["content-length"] == str(SIZE)
    assert r.headers["accept-ranges"] == "bytes"
    assert r.headers["etag"] == f'"{world.collateral[0].sha256}"'
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["x-content-type-options"] == "nosniff"


@pytest.mark.sqlite_only
def test_head_gives_headers_without_a_body(world: World, bob: httpx.Client) -> None:
    r = bob.head(url(world))
    assert r.status_code == 200
    assert r.content == b""
    assert r.headers["content-length"] == str(SIZE)
    r = bob.head(url(world), headers={"Range": "bytes=10-19"})
    assert r.status_code == 206 and r.headers["content-range"] == f"bytes 10-19/{SIZE}"


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-0", 0, 0),
        ("bytes=100-199", 100, 199),
        (f"bytes=100-{SIZE + 500}", 100, SIZE - 1),
        ("bytes=5000-", 5000, SIZE - 1),
        ("bytes=-10", SIZE - 10, SIZE - 1),
        (f"bytes=-{SIZE * 2}", 0, SIZE - 1),
    ],
)
def test_range_gives_206(
    world: World, bob: httpx.Client, header: str, start: int, end: int
) -> None:
    r = bob.get(url(world), headers={"Range": header})
    assert r.status_code == 206
    assert r.headers["content-range"] == f"bytes {start}-{end}/{SIZE}"
    assert r.content == PDF_BYTES[start : end + 1]
    assert r.headers["content-length"] == str(end - start + 1)


@pytest.mark.sqlite_only
@pytest.mark.parametrize("header", [f"bytes={SIZE}-", f"bytes={SIZE + 10}-{SIZE + 20}", "bytes=-0"])
def test_unsatisfiable_range_is_416(world: World, bob: httpx.Client, header: str) -> None:
    r = bob.get(url(world), headers={"Range": header})
    assert_error(r, 416, "range_not_satisfiable")
    assert r.headers["content-range"] == f"bytes */{SIZE}"


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    "header", ["items=0-5", "bytes=abc", "bytes=9-3", "bytes=0-1,5-9", "bytes=-"]
)
def test_unusable_range_is_ignored(world: World, bob: httpx.Client, header: str) -> None:
    r = bob.get(url(world), headers={"Range": header})
    assert r.status_code == 200 and r.content == PDF_BYTES


@pytest.mark.sqlite_only
def test_if_range_resumes_only_the_same_file(world: World, bob: httpx.Client) -> None:
    etag = bob.head(url(world)).headers["etag"]
    same = bob.get(url(world), headers={"Range": "bytes=100-", "If-Range": etag})
    assert same.status_code == 206 and same.content == PDF_BYTES[100:]
    other = bob.get(url(world), headers={"Range": "bytes=100-", "If-Range": '"something-else"'})
    assert other.status_code == 200 and other.content == PDF_BYTES


def test_unknown_malformed_and_retired_collateral_is_404(
    world: World, embedded_hub: EmbeddedHub, bob: httpx.Client
) -> None:
    assert_error(bob.get("/v1/collateral/" + "0" * 64), 404, "not_found")
    assert_error(bob.get("/v1/collateral/not-a-hash"), 404, "not_found")
    assert_error(bob.get("/v1/collateral/..%2F..%2Fhub.db"), 404, "not_found")
    with embedded_hub.state.db.write() as s:
        row = s.get(Collateral, world.collateral[0].id)
        assert row is not None
        row.retired = True
        row.version += 1
        changes.touch_global(s, "collateral", row.id, row.version, op="remove")
    assert_error(bob.get(url(world)), 404, "not_found")


def test_listed_but_missing_file_is_404_not_500(
    world: World, embedded_hub: EmbeddedHub, bob: httpx.Client
) -> None:
    remove_stored(embedded_hub.state.files, world.collateral[0].sha256)
    assert_error(bob.get(url(world)), 404, "file_missing")
