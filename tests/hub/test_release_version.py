"""One version, read from the package metadata, reported everywhere (issue 11.6).

`repdesk --version`, `repdesk-hub --version` and the running hub's `GET /v1/sync/meta`
all say the version in pyproject.toml, which is SemVer.
"""

from __future__ import annotations

import re
import subprocess
import sys
from importlib.metadata import version

import httpx
import pytest

import repdesk
from repdesk.hub.embedded import EmbeddedHub

SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$"
)


def _printed_version(module: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", module, "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip()


@pytest.mark.sqlite_only
def test_the_app_and_the_running_hub_report_the_packages_version(embedded_hub: EmbeddedHub) -> None:
    released = version("repdesk")
    assert SEMVER.match(released), released
    assert repdesk.__version__ == released
    assert _printed_version("repdesk.cli.main") == f"repdesk {released}"
    assert _printed_version("repdesk.hub.cli.main") == f"repdesk-hub {released}"
    meta = httpx.get(f"{embedded_hub.base_url}/v1/sync/meta", timeout=10).json()
    assert meta["server_version"] == released
