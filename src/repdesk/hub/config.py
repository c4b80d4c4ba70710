"""`HubConfig`: where the hub keeps its data and how it behaves, resolved in one place.

Home: an explicit `--home`, else `$REPDESK_HUB_HOME`, else the platform's user data dir
("repdesk-hub"). Database: an explicit URL, else `$REPDESK_HUB_DATABASE_URL`, else a SQLite
file `hub.db` in the home. Files (collateral under `collateral/`, client builds under
`client-builds/`, both content-addressed): an explicit `--files-dir`, else
`$REPDESK_HUB_FILES_DIR`, else the home. Hub processes on several hosts share one
PostgreSQL database and one files directory (a shared mount); `repdesk.hub.files` writes
there safely from several processes at once. Or the files live in an S3-compatible bucket
(`--files-s3 s3://bucket/prefix`, else `$REPDESK_HUB_FILES_S3`; endpoint and region from
`--s3-endpoint-url` / `--s3-region`, else `$REPDESK_HUB_S3_ENDPOINT_URL` /
`$REPDESK_HUB_S3_REGION`, else boto3's own AWS_ENDPOINT_URL_S3 / AWS_REGION; credentials
only from boto3's standard chain, `repdesk.hub.s3_files`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import platformdirs

from repdesk import __version__
from repdesk.hub.db.engine import normalize_database_url, sqlite_url

HOME_ENV = "REPDESK_HUB_HOME"
DATABASE_ENV = "REPDESK_HUB_DATABASE_URL"
FILES_ENV = "REPDESK_HUB_FILES_DIR"
FILES_S3_ENV = "REPDESK_HUB_FILES_S3"
S3_ENDPOINT_ENV = "REPDESK_HUB_S3_ENDPOINT_URL"
S3_REGION_ENV = "REPDESK_HUB_S3_REGION"
APP_NAME = "repdesk-hub"


@dataclass(frozen=True, slots=True)
class LoginThrottle:
    """Failed sign-ins allowed within `window` before the hub answers 429."""

    per_account: int = 5
    """Failures of one account from one address."""
    per_address: int = 20
    """Failures from one address, whatever the accounts."""
    per_account_anywhere: int = 50
    """Failures of one account from every address together; applied only to an address
    that has failures of its own, so the owner is never locked out by strangers."""
    window: timedelta = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class HubConfig:
    home: Path
    database_url: str
    collateral_dir: Path
    token_ttl: timedelta = timedelta(days=30)
    min_client_version: str = "0.1.0"
    max_body_bytes: int = 8 * 1024 * 1024
    """Largest request body accepted (413 above); a full push batch fits well inside."""
    login_throttle: LoginThrottle = field(default_factory=LoginThrottle)
    server_version: str = __version__
    files_dir: Path | None = None
    """Where collateral and client builds live (None: the home), unless `files_s3`."""
    files_s3: str | None = None
    """`s3://bucket/prefix`: collateral and client builds in that bucket instead."""
    s3_endpoint_url: str | None = None
    s3_region: str | None = None

    @classmethod
    def resolve(
        cls,
        home: str | Path | None = None,
        *,
        database_url: str | None = None,
        files_dir: str | Path | None = None,
        files_s3: str | None = None,
        s3_endpoint_url: str | None = None,
        s3_region: str | None = None,
        **overrides: Any,
    ) -> HubConfig:
        """The configuration for `home` (or the environment's / platform's default)."""
        if home is None:
            home = os.environ.get(HOME_ENV) or platformdirs.user_data_dir(APP_NAME, appauthor=False)
        home_path = Path(home).expanduser().resolve()
        url = database_url or os.environ.get(DATABASE_ENV) or sqlite_url(home_path / "hub.db")
        url = normalize_database_url(url)
        files = files_dir or os.environ.get(FILES_ENV) or home_path
        files_path = Path(files).expanduser().resolve()
        config = cls(
            home=home_path,
            database_url=url,
            collateral_dir=files_path / "collateral",
            files_dir=files_path,
            files_s3=files_s3 or os.environ.get(FILES_S3_ENV) or None,
            s3_endpoint_url=s3_endpoint_url or os.environ.get(S3_ENDPOINT_ENV) or None,
            s3_region=s3_region or os.environ.get(S3_REGION_ENV) or None,
        )
        return replace(config, **overrides) if overrides else config

    @property
    def builds_dir(self) -> Path:
        """Desktop app builds (`repdesk-hub client add`), content-addressed like collateral."""
        return (self.files_dir or self.home) / "client-builds"

    def environment(self) -> dict[str, str]:
        """The variables that make `resolve()` in another process give this hub (its
        home, database and files), for `serve --workers N`. S3 credentials are not in it:
        the workers inherit the parent's environment, where boto3 finds them."""
        env = {
            HOME_ENV: str(self.home),
            DATABASE_ENV: self.database_url,
            FILES_ENV: str(self.files_dir or self.home),
        }
        for name, value in (
            (FILES_S3_ENV, self.files_s3),
            (S3_ENDPOINT_ENV, self.s3_endpoint_url),
            (S3_REGION_ENV, self.s3_region),
        ):
            if value:
                env[name] = value
        return env

    def ensure_dirs(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        if not self.files_s3:
            self.collateral_dir.mkdir(parents=True, exist_ok=True)


__all__ = [
    "DATABASE_ENV",
    "FILES_ENV",
    "FILES_S3_ENV",
    "HOME_ENV",
    "S3_ENDPOINT_ENV",
    "S3_REGION_ENV",
    "HubConfig",
    "LoginThrottle",
]
