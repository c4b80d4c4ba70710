"""An S3-compatible object store for hub tests (a pytest plugin, registered in
tests/conftest.py): moto's real S3 server over HTTP on loopback (`moto_s3`, one per
session), an empty bucket of its own per test with test credentials in the environment
(`s3_bucket`), and `hub_config_each_store`: the hub's config once with its files in a
directory and once in a bucket, for a module to use as its `hub_config`."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from repdesk.hub.config import HubConfig
from repdesk.hub.file_store import FileStore
from repdesk.hub.files import DirectoryFiles
from repdesk.hub.s3_files import S3Files

REGION = "us-east-1"
PREFIX = "hub"


@dataclass(frozen=True, slots=True)
class S3Bucket:
    endpoint: str
    name: str
    client: Any
    """A boto3 client of the test's own, to look into the bucket."""

    @property
    def url(self) -> str:
        """The hub's `--files-s3` for this bucket."""
        return f"s3://{self.name}/{PREFIX}"

    def keys(self) -> list[str]:
        listed = self.client.list_objects_v2(Bucket=self.name)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    def config(self, home: Path, **kw: Any) -> HubConfig:
        """A hub at `home` whose files are in this bucket."""
        return HubConfig.resolve(home, files_s3=self.url, s3_endpoint_url=self.endpoint, **kw)


@pytest.fixture(scope="session")
def moto_s3() -> Iterator[str]:
    """The endpoint URL of a real S3 server (moto) on loopback, for the session."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def use_test_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Credentials in the environment, where boto3's chain finds them; no ~/.aws."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "repdesk-test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "repdesk-test-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def s3_bucket(moto_s3: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> S3Bucket:
    """A new, empty bucket on `moto_s3`, with test credentials in the environment."""
    use_test_credentials(monkeypatch, tmp_path)
    client = boto3.session.Session(region_name=REGION).client("s3", endpoint_url=moto_s3)
    name = f"repdesk-{uuid.uuid4().hex[:16]}"
    client.create_bucket(Bucket=name)
    return S3Bucket(moto_s3, name, client)


@pytest.fixture(params=["directory", "s3"])
def hub_config_each_store(
    request: pytest.FixtureRequest, tmp_path: Path, hub_db_url: str
) -> HubConfig:
    """The hub's config with its files in a directory, and again in an S3 bucket."""
    if request.param == "directory":
        return HubConfig.resolve(tmp_path / "hub", database_url=hub_db_url)
    bucket: S3Bucket = request.getfixturevalue("s3_bucket")
    return bucket.config(tmp_path / "hub", database_url=hub_db_url)


def remove_stored(store: FileStore, sha256: str) -> None:
    """Take a file out of a hub's store behind its back (a file listed but gone)."""
    if isinstance(store, DirectoryFiles):
        store.path_for(sha256).unlink()
        return
    assert isinstance(store, S3Files)
    client = boto3.session.Session(region_name=REGION).client(
        "s3", endpoint_url=store.settings.endpoint_url
    )
    client.delete_object(Bucket=store.bucket, Key=store.key_for(sha256))
