"""`repdesk update check` / `repdesk update download` against the real hub on loopback."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from repdesk import __version__
from repdesk.app.services import open_store, sync_engine
from repdesk.cli.main import main as cli
from repdesk.hub import admin
from repdesk.store.paths import AppPaths
from repdesk.sync.updates import current_platform
from tests.support.bundles import make_bundle
from tests.support.hub_fixtures import PASSWORD
from tests.support.world import World


def _signed_in(tmp_path: Path, live_world: World) -> list[str]:
    data_dir = tmp_path / "client"
    store = open_store(data_dir)
    try:
        sync_engine(store, AppPaths.resolve(data_dir)).login(
            live_world.hub.url, live_world.ada.email, PASSWORD
        )
    finally:
        store.close()
    return ["--data-dir", str(data_dir)]


def _next(version: str) -> str:
    major, minor, patch = (int(p) for p in version.split("."))
    return f"{major}.{minor + 1}.0"


def test_update_check_then_download(
    tmp_path: Path, live_world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    dd = _signed_in(tmp_path, live_world)
    assert cli(["update", "check", *dd]) == 0
    assert "is the newest your hub offers" in capsys.readouterr().out

    newer = _next(__version__)
    with admin.open_hub(live_world.hub.config) as hub:
        admin.add_build(
            hub, make_bundle(tmp_path / "b", newer, current_platform()), current_platform()
        )
    assert cli(["update", "check", *dd]) == 0
    assert f"repdesk {newer} is available" in capsys.readouterr().out
    assert cli(["update", "download", *dd]) == 0
    out = capsys.readouterr().out
    assert f"repdesk {newer} is downloaded and verified" in out
    executable = Path(out.split(": ", 1)[1].splitlines()[0])
    assert executable.is_relative_to(tmp_path / "client" / "data" / "updates")
    done = subprocess.run([str(executable)], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == f"repdesk {newer}"
    assert cli(["update", "check", *dd]) == 0
    assert f"repdesk {newer} is downloaded; it starts next time." in capsys.readouterr().out
