"""The app's start on a damaged database says so before the first window (issue 10.5).

Offscreen, the notice goes to stderr (on a desktop it is also a warning box); the app then
starts on the fresh copy, with the salvaged unsent work and the rep still signed in.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from repdesk.app.services import open_store
from repdesk.cli.main import main as cli
from repdesk.gui.theme import ThemeManager
from repdesk.store.paths import AppPaths
from tests.support.damage import REP, damage_header, db_path, seed_rep_data


def test_the_app_says_the_data_was_damaged_and_starts_with_the_unsent_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    data = AppPaths.resolve(home).ensure().data
    ids = seed_rep_data(data, leads=20, notes=6)
    damage_header(db_path(data))

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = set(app.findChildren(ThemeManager))
    palette = QGuiApplication.palette()
    try:
        code = cli(["--data-dir", str(home), "--screenshot", str(tmp_path / "shots")])
    finally:
        # The run made its own ThemeManager on the shared QApplication: drop it, so later
        # tests find theirs (as test_screenshots.py does).
        app.setPalette(palette)
        for manager in set(app.findChildren(ThemeManager)) - before:
            QGuiApplication.styleHints().colorSchemeChanged.disconnect(manager._on_system_scheme)
            manager.setParent(None)
    err = capsys.readouterr().err
    assert code == 0, err
    assert "repdesk found its local data damaged" in err and "6 unsent item(s)" in err
    assert list((tmp_path / "shots").glob("*.png"))
    with open_store(home) as store:  # as the app opens it: encrypted with the keyring's key
        assert store.recovery is None
        assert store.sync_state().session == REP
        assert [i.id for i in sorted(store.outbox(), key=lambda i: i.seq)] == ids
