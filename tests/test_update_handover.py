"""The next start picks the newest verified build: an installed bundle hands over to the
build `current` names when it is newer, and never otherwise. The process replacement
(`os.execv`) is injected: the test records the call instead of replacing pytest."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from repdesk.app.handover import NO_HANDOVER_ENV, hand_over_to_newer, start_detached
from repdesk.store.paths import AppPaths
from repdesk.sync.update_files import UpdateFolder
from tests.support.bundles import PLATFORM, make_bundle


@pytest.fixture
def installed(tmp_path: Path) -> Path:
    bundle = make_bundle(tmp_path / "bundles", "2.0.0")
    sha = hashlib.sha256(bundle.read_bytes()).hexdigest()
    folder = UpdateFolder(AppPaths.resolve(tmp_path / "home").updates)
    return folder.install(bundle, sha, "2.0.0", PLATFORM).executable


def test_an_installed_bundle_hands_over_to_a_newer_verified_build(
    tmp_path: Path, installed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(NO_HANDOVER_ENV, "")  # unset for the code, restored after the test
    calls: list[tuple[str, list[str]]] = []
    hand_over_to_newer(
        tmp_path / "home", ["--data-dir", "x"], frozen=True, version="1.0.0",
        exec_=lambda exe, argv: calls.append((exe, argv)),
    )  # fmt: skip
    assert calls == [(str(installed), [str(installed), "--data-dir", "x"])]


@pytest.mark.parametrize(
    ("frozen", "version", "env"),
    [(False, "1.0.0", ""), (True, "2.0.0", ""), (True, "3.0.0", ""), (True, "1.0.0", "1")],
    ids=["source-install", "same-version", "already-newer", "handover-disabled"],
)
def test_no_hand_over_otherwise(
    tmp_path: Path,
    installed: Path,
    monkeypatch: pytest.MonkeyPatch,
    frozen: bool,
    version: str,
    env: str,
) -> None:
    monkeypatch.setenv(NO_HANDOVER_ENV, env)
    calls: list[object] = []
    hand_over_to_newer(
        tmp_path / "home", [], frozen=frozen, version=version,
        exec_=lambda exe, argv: calls.append(exe),
    )  # fmt: skip
    assert calls == []


def test_restart_starts_the_new_build_with_the_same_arguments(tmp_path: Path) -> None:
    """What `app.launch` does after *Restart to update*, with a script standing in for the
    new build: it records its arguments and whether a second hand-over is switched off."""
    record = tmp_path / "started.txt"
    script = tmp_path / "repdesk"
    script.write_text(f'#!/bin/sh\necho "$@|${NO_HANDOVER_ENV}" > "{record}"\n', encoding="utf-8")
    script.chmod(0o755)
    started = start_detached(script, ["--data-dir", "somewhere"])
    assert started.wait(timeout=30) == 0
    assert record.read_text(encoding="utf-8").strip() == "--data-dir somewhere|1"
