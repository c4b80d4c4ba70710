"""The desktop entry, the AppStream metadata and the hub's systemd unit pass their
validators (issue 11.3, 11.5). Each check runs where its tool is installed (CI installs
desktop-file-utils, appstream and systemd: see .ci/run) and skips, saying so, elsewhere.
"""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
ICONS = ROOT / "src" / "repdesk" / "resources" / "icons"
DESKTOP = PACKAGING / "repdesk.desktop"
METAINFO = PACKAGING / "org.repdesk.repdesk.metainfo.xml"
UNIT = PACKAGING / "repdesk-hub.service"


def _tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (apt-get install {package}); CI runs this check")
    return path


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)


def test_the_desktop_entry_is_valid_and_names_a_shipped_icon() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(DESKTOP)
    icon = entry["Desktop Entry"]["Icon"]
    assert (ICONS / f"{icon}.svg").is_file()
    assert (ICONS / f"{icon}-256.png").is_file()
    done = _run(_tool("desktop-file-validate", "desktop-file-utils"), str(DESKTOP))
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


def test_the_appstream_metadata_is_valid() -> None:
    done = _run(
        _tool("appstreamcli", "appstream"), "validate", "--no-net", "--pedantic", str(METAINFO)
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "E:" not in done.stdout and "W:" not in done.stdout, done.stdout


def test_the_hub_unit_verifies(tmp_path: Path) -> None:
    """`systemd-analyze verify` also checks that ExecStart's program exists, so the copy
    points at this checkout's real `repdesk-hub` instead of /opt/repdesk-hub."""
    analyze = _tool("systemd-analyze", "systemd")
    hub = Path(sys.executable).with_name("repdesk-hub")
    assert hub.is_file(), hub
    unit = tmp_path / UNIT.name
    unit.write_text(UNIT.read_text().replace("/opt/repdesk-hub/bin/repdesk-hub", str(hub)))
    done = _run(analyze, "verify", str(unit))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "repdesk-hub.service" not in done.stderr, done.stderr
