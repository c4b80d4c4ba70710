"""Where files live: --data-dir, then $REPDESK_HOME, then the platform's folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from repdesk.store.paths import AppPaths


def test_data_dir_argument_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPDESK_HOME", str(tmp_path / "home"))
    paths = AppPaths.resolve(tmp_path / "arg")
    assert paths.data == tmp_path / "arg" / "data"
    assert {p.parent for p in (paths.data, paths.cache, paths.logs, paths.config)} == {
        tmp_path / "arg"
    }


def test_env_home_holds_all_four(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPDESK_HOME", str(tmp_path / "home"))
    paths = AppPaths.resolve(None).ensure()
    assert paths == AppPaths(
        data=tmp_path / "home" / "data",
        cache=tmp_path / "home" / "cache",
        logs=tmp_path / "home" / "logs",
        config=tmp_path / "home" / "config",
    )
    assert all(p.is_dir() for p in (paths.data, paths.cache, paths.logs, paths.config))


def test_platform_folders_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REPDESK_HOME", raising=False)
    paths = AppPaths.resolve("")
    assert all("repdesk" in str(p) for p in (paths.data, paths.cache, paths.logs, paths.config))
    assert len({paths.data, paths.cache, paths.logs, paths.config}) >= 2
