"""The app's start on a damaged database says so before the first window (issue 10.5).

Offscreen, the notice goes to stderr (on a desktop it is also a warning box); the app then
starts on the fresh copy, with the salvaged unsent work and the rep still signed in.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from repdesk.cli.main import main as cli
from repdesk.store import Store
from repdesk.store.paths import AppPaths
from tests.support.damage import REP, damage_header, db_path, seed_rep_data


def test_the_app_says_the_data_was_damaged_and_starts_with_the_unsent_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    data = AppPaths.resolve(home).ensure().data
    ids = seed_rep_data(data, leads=20, notes=6)
    damage_header(db_path(data))

    code = cli(["--data-dir", str(home), "--screenshot", str(tmp_path / "shots")])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "repdesk found its local data damaged" in err and "6 unsent item(s)" in err
    assert list((tmp_path / "shots").glob("*.png"))
    with Store.open(data) as store:
        assert store.recovery is None
        assert store.sync_state().session == REP
        assert [i.id for i in sorted(store.outbox(), key=lambda i: i.seq)] == ids
