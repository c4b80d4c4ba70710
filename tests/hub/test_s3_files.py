"""Collateral in an S3-compatible bucket (`--files-s3`), against moto's real S3 server on
loopback: added from the command line and fetched by a rep's own client (whole and by
range), hubs sharing one bucket, idempotent storing under hash keys only, and a bucket
that is missing, refuses the hub's credentials, cannot be reached or never answers: each
a sentence an operator can act on, never a hang or a traceback."""

from __future__ import annotations

import hashlib
import random
import socket
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import boto3
import moto.settings
import pytest
from moto.server import ThreadedMotoServer
from tests.hub.helpers import assert_error
from tests.support import hub_rows
from tests.support.fault_fixtures import free_port
from tests.support.hub_fixtures import PASSWORD, login, new_hub
from tests.support.s3_fixtures import REGION, S3Bucket, use_test_credentials

from repdesk.domain.leads import Collateral
from repdesk.hub import admin
from repdesk.hub.cli.main import EXIT_ERROR, EXIT_OK, main
from repdesk.hub.config import HubConfig
from repdesk.hub.embedded import EmbeddedHub
from repdesk.hub.file_store import COLLATERAL, FileStoreError, open_file_store
from repdesk.hub.s3_files import S3Files, S3Settings
from repdesk.sync.collateral import CollateralCache
from repdesk.sync.http import HubClient

REP = "rita@example.test"
SECRET = "repdesk-test-secret"  # the fixture's AWS_SECRET_ACCESS_KEY


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in err and SECRET not in out + err
    return code, out, err


def _s3_args(home: Path, url: str, endpoint: str) -> list[str]:
    return ["--home", str(home), "--files-s3", url, "--s3-endpoint-url", endpoint]


@pytest.fixture
def home(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A hub made by `repdesk-hub init` (files on local disk), for commands to point at S3."""
    folder = tmp_path / "hub"
    assert _run(capsys, "--home", str(folder), "init")[0] == EXIT_OK
    return folder


@pytest.fixture
def served(s3_bucket: S3Bucket, tmp_path: Path, password_hash: str) -> Iterator[EmbeddedHub]:
    """A hub with its files in `s3_bucket` and one rep, served on loopback."""
    config = s3_bucket.config(tmp_path / "hub")
    with new_hub(config) as hub:
        hub_rows.add_rep(hub.db, REP, PASSWORD, password_hash=password_hash)
    embedded = EmbeddedHub(config)
    embedded.start()
    try:
        yield embedded
    finally:
        embedded.stop()


def test_collateral_added_on_the_command_line_is_fetched_by_a_rep_whole_and_by_range(
    s3_bucket: S3Bucket,
    served: EmbeddedHub,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    content = random.Random(9).randbytes(3 * 2**20 + 123)  # several chunks
    source = tmp_path / "Price list (final) ..pdf"
    source.write_bytes(content)
    args = _s3_args(served.config.home, s3_bucket.url, s3_bucket.endpoint)
    code, out, _ = _run(capsys, *args, "collateral", "add", str(source), "--title", "Prices")
    assert code == EXIT_OK, out
    sha = hashlib.sha256(content).hexdigest()
    assert s3_bucket.keys() == [f"hub/collateral/{sha[:2]}/{sha}"]
    assert not (served.config.collateral_dir / sha[:2]).exists()

    with closing(login(served.base_url, REP)) as rep:
        whole = rep.get(f"/v1/collateral/{sha}")
        assert whole.status_code == 200 and whole.content == content
        assert whole.headers["etag"] == f'"{sha}"'
        part = rep.get(f"/v1/collateral/{sha}", headers={"Range": "bytes=2097000-2098999"})
        assert part.status_code == 206 and part.content == content[2097000:2099000]
        assert part.headers["content-range"] == f"bytes 2097000-2098999/{len(content)}"
        tail = rep.get(f"/v1/collateral/{sha}", headers={"Range": "bytes=-10"})
        assert tail.status_code == 206 and tail.content == content[-10:]
        token = rep.headers["Authorization"].removeprefix("Bearer ")

    # The rep's own app: resumable download into its content-addressed cache.
    cache = CollateralCache(tmp_path / "cache", max_bytes=4 * len(content))
    with HubClient(served.base_url, token) as client:
        path = cache.fetch(client, Collateral("c1", "Prices", sha, len(content), "x"))
    assert path.read_bytes() == content


def test_two_hubs_sharing_a_bucket_serve_each_others_files(
    s3_bucket: S3Bucket, tmp_path: Path, hub_db_url: str, password_hash: str
) -> None:
    """Two hub apps (each its own S3 client, home and process state) on one database and
    one bucket: what either stores, the other serves."""
    configs = [s3_bucket.config(tmp_path / f"host-{n}", database_url=hub_db_url) for n in "ab"]
    with new_hub(configs[0]) as hub:
        hub_rows.add_rep(hub.db, REP, PASSWORD, password_hash=password_hash)
    hubs = [EmbeddedHub(config) for config in configs]
    for hub in hubs:
        hub.start()
    try:
        stored = {}
        for n, hub in enumerate(hubs):
            content = f"%PDF-1.4 battlecard from host {n} ".encode() * 3000
            _id, sha = hub_rows.add_collateral(hub.state.db, hub.state.files, content, f"B{n}")
            stored[sha] = content
        for hub in hubs:
            with closing(login(hub.base_url, REP)) as rep:
                for sha, content in stored.items():
                    got = rep.get(f"/v1/collateral/{sha}")
                    assert got.status_code == 200 and got.content == content
    finally:
        for hub in hubs:
            hub.stop()
    assert len(s3_bucket.keys()) == 2


def test_storing_the_same_bytes_again_changes_nothing(s3_bucket: S3Bucket, tmp_path: Path) -> None:
    store = open_file_store(s3_bucket.config(tmp_path / "hub"), COLLATERAL)
    content = b"the same deck " * 10_000
    sha, size = store.put_bytes(content)
    key = f"hub/collateral/{sha[:2]}/{sha}"
    first = s3_bucket.client.head_object(Bucket=s3_bucket.name, Key=key)["LastModified"]
    source = tmp_path / "again.pdf"
    source.write_bytes(content)
    with source.open("rb") as stream:
        assert store.put_stream(stream) == (sha, size)
    assert store.put_file(source) == (sha, size)
    assert s3_bucket.keys() == [key]
    assert s3_bucket.client.head_object(Bucket=s3_bucket.name, Key=key)["LastModified"] == first
    assert b"".join(store.read(sha, 5, 9)) == content[5:14]
    with pytest.raises(FileNotFoundError):
        store.read("0" * 64)
    assert store.stat("0" * 64) is None


def test_a_missing_bucket_stops_serve_with_a_sentence(
    s3_bucket: S3Bucket, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = _s3_args(home, "s3://no-such-bucket-here/hub", s3_bucket.endpoint)
    code, _, err = _run(capsys, *args, "serve", "--port", str(free_port()))
    assert code == EXIT_ERROR
    assert "the bucket 'no-such-bucket-here' does not exist" in err
    code, _, err = _run(capsys, *args, "collateral", "list")
    assert code == EXIT_ERROR and "does not exist" in err


def test_a_malformed_s3_address_is_refused_in_words(
    s3_bucket: S3Bucket, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = _s3_args(home, "https://bucket.example/hub", s3_bucket.endpoint)
    code, _, err = _run(capsys, *args, "collateral", "list")
    assert code == EXIT_ERROR and "write it as s3://bucket or s3://bucket/prefix" in err
    secret = "http://key:sekrit@127.0.0.1:9000"
    code, _, err = _run(capsys, *_s3_args(home, s3_bucket.url, secret), "collateral", "list")
    assert code == EXIT_ERROR and "must not hold credentials" in err and "sekrit" not in err


def test_credentials_the_store_refuses_are_named_without_showing_them(
    s3_bucket: S3Bucket,
    home: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """moto's own switch (`INITIAL_NO_AUTH_ACTION_COUNT`, what its
    `set_initial_no_auth_action_count` sets) makes the server check credentials; the
    fixture's keys are unknown to it."""
    monkeypatch.setattr(moto.settings, "INITIAL_NO_AUTH_ACTION_COUNT", 0)
    source = tmp_path / "deck.pdf"
    source.write_bytes(b"%PDF-1.4 deck")
    args = _s3_args(home, s3_bucket.url, s3_bucket.endpoint)
    code, _, err = _run(capsys, *args, "collateral", "add", str(source), "--title", "Deck")
    assert code == EXIT_ERROR
    assert "refused the hub's credentials" in err and "AWS_ACCESS_KEY_ID" in err


def test_no_credentials_at_all_is_named(
    s3_bucket: S3Bucket,
    home: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no instance role here
    code, _, err = _run(capsys, *_s3_args(home, s3_bucket.url, s3_bucket.endpoint), "rep", "list")
    assert code == EXIT_ERROR and "the hub has no S3 credentials" in err


def test_an_unreachable_store_is_named(
    s3_bucket: S3Bucket, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nobody = f"http://127.0.0.1:{free_port()}"
    code, _, err = _run(capsys, *_s3_args(home, s3_bucket.url, nobody), "collateral", "list")
    assert code == EXIT_ERROR
    assert f"the S3 store at s3://{s3_bucket.name}/hub/collateral/ at {nobody}" in err
    assert "cannot be reached" in err
    assert "Could not connect" not in err  # botocore's words (an object's URL) go to the log


def test_a_store_that_never_answers_is_given_up_on(s3_bucket: S3Bucket) -> None:
    """A socket that accepts connections (the kernel's backlog) and never answers: the
    store's read timeout ends the call, it does not hang."""
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        settings = S3Settings(
            s3_bucket.url,
            f"http://127.0.0.1:{port}",
            connect_timeout=0.5,
            read_timeout=0.5,
            max_attempts=1,
        )
        with pytest.raises(FileStoreError, match="cannot be reached"):
            S3Files(settings, COLLATERAL).check()


def test_a_rep_gets_503_while_the_store_is_down(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, password_hash: str
) -> None:
    """The hub's own S3 server (not the session's), stopped while the hub runs."""
    use_test_credentials(monkeypatch, tmp_path)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    boto3.session.Session(region_name=REGION).client("s3", endpoint_url=endpoint).create_bucket(
        Bucket="down-later"
    )
    config = HubConfig.resolve(
        tmp_path / "hub", files_s3="s3://down-later", s3_endpoint_url=endpoint
    )
    with new_hub(config) as hub:
        hub_rows.add_rep(hub.db, REP, PASSWORD, password_hash=password_hash)
        _id, sha = hub_rows.add_collateral(hub.db, hub.files, b"%PDF-1.4 x" * 100, "Deck")
    embedded = EmbeddedHub(config)
    embedded.start()
    try:
        with closing(login(embedded.base_url, REP)) as rep:
            assert rep.get(f"/v1/collateral/{sha}").status_code == 200
            server.stop()
            down = rep.get(f"/v1/collateral/{sha}")
        assert_error(down, 503, "files_unavailable")
    finally:
        embedded.stop()


def test_keys_are_hashes_whatever_the_name(s3_bucket: S3Bucket, tmp_path: Path) -> None:
    config = s3_bucket.config(tmp_path / "hub")
    with new_hub(config) as hub:
        for name in ("../../etc/passwd", "a/b.pdf", "C:\\deck.pdf", "x%2F..%2Fy"):
            source = tmp_path / "upload"
            source.write_bytes(f"%PDF-1.4 {name}".encode())
            admin.add_collateral(hub, source, name, original_name=name)
    keys = s3_bucket.keys()
    assert len(keys) == 4
    for key in keys:
        prefix, area, shard, sha = key.split("/")
        assert (prefix, area, shard) == ("hub", "collateral", sha[:2]) and len(sha) == 64
    with pytest.raises(ValueError):
        open_file_store(config, COLLATERAL).read("../../hub.db")


def test_an_upload_is_verified_and_a_store_that_keeps_other_bytes_is_caught(
    s3_bucket: S3Bucket, tmp_path: Path
) -> None:
    """Faults injected through botocore's own event hooks on the store's client: an ETag
    that is not the MD5 (as with encryption) makes the hub read the object back; bytes
    changed on the way (a store that does not verify the checksum) are then caught."""
    store = open_file_store(s3_bucket.config(tmp_path / "hub"), COLLATERAL)
    assert isinstance(store, S3Files)
    events = store._s3.meta.events

    def opaque_etag(parsed: dict[str, object], **_: object) -> None:
        parsed["ETag"] = '"' + "0" * 32 + '"'

    events.register("after-call.s3.PutObject", opaque_etag)
    content = b"a deck that arrives whole " * 1000
    sha, _size = store.put_bytes(content)
    assert sha == hashlib.sha256(content).hexdigest() and store.exists(sha)

    def garble(params: dict[str, object], **_: object) -> None:
        params["body"] = b"x" * len(other)

    other = b"a deck garbled on the way " * 1000
    events.register("before-call.s3.PutObject", garble)
    with pytest.raises(FileStoreError, match="stored different bytes than the hub sent"):
        store.put_bytes(other)
    assert not store.exists(hashlib.sha256(other).hexdigest())  # not left to be reused
