"""HubConfig resolution: explicit home, then $REPDESK_HUB_HOME, then platformdirs; and
$REPDESK_HUB_DATABASE_URL overrides the database."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import platformdirs
import pytest

from repdesk.hub.config import FILES_S3_ENV, S3_ENDPOINT_ENV, S3_REGION_ENV, HubConfig


def test_explicit_home_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPDESK_HUB_HOME", str(tmp_path / "env"))
    config = HubConfig.resolve(tmp_path / "explicit")
    assert config.home == tmp_path / "explicit"
    assert config.database_url == f"sqlite:///{tmp_path / 'explicit' / 'hub.db'}"
    assert config.collateral_dir == tmp_path / "explicit" / "collateral"


def test_environment_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPDESK_HUB_HOME", str(tmp_path / "env"))
    assert HubConfig.resolve().home == tmp_path / "env"


def test_platform_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REPDESK_HUB_HOME", raising=False)
    expected = Path(platformdirs.user_data_dir("repdesk-hub", appauthor=False)).resolve()
    assert HubConfig.resolve().home == expected


def test_database_url_from_environment_and_explicit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REPDESK_HUB_DATABASE_URL", "postgresql+psycopg://u:p@db/hub")
    assert HubConfig.resolve(tmp_path).database_url == "postgresql+psycopg://u:p@db/hub"
    explicit = HubConfig.resolve(tmp_path, database_url="sqlite:///x.db")
    assert explicit.database_url == "sqlite:///x.db"


def test_overrides(tmp_path: Path) -> None:
    config = HubConfig.resolve(tmp_path, token_ttl=timedelta(hours=1), min_client_version="0.3")
    assert config.token_ttl == timedelta(hours=1) and config.min_client_version == "0.3"


def test_an_s3_store_reaches_the_workers_through_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`serve --workers N` hands its config to each worker as variables: the bucket,
    endpoint and region go with it (credentials stay in boto3's own variables)."""
    for name in (FILES_S3_ENV, S3_ENDPOINT_ENV, S3_REGION_ENV):
        monkeypatch.delenv(name, raising=False)
    parent = HubConfig.resolve(
        tmp_path / "hub",
        files_s3="s3://bucket/hub",
        s3_endpoint_url="http://127.0.0.1:9000",
        s3_region="eu-west-1",
    )
    assert not parent.collateral_dir.exists()
    parent.ensure_dirs()
    assert not parent.collateral_dir.exists()  # nothing local for the files
    for name, value in parent.environment().items():
        monkeypatch.setenv(name, value)
    worker = HubConfig.resolve()
    assert (worker.files_s3, worker.s3_endpoint_url, worker.s3_region) == (
        "s3://bucket/hub",
        "http://127.0.0.1:9000",
        "eu-west-1",
    )
    assert not any("SECRET" in name for name in parent.environment())
