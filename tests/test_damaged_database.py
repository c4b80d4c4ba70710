"""A damaged local database, through the `repdesk` commands and a real hub (issue 10, defect 5).

A rep signs in to the demo hub on loopback and syncs, logs call notes offline, then the
database file is damaged (`tests/support/damage.py`). The next command says so in words,
keeps the file aside, and the unsent notes are exported or sent; the next sync downloads
the rest again.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from repdesk.app.demo import DemoHub, start_demo_hub
from repdesk.app.services import open_store, sync_engine
from repdesk.cli.main import main as cli
from repdesk.store.api import LeadQuery
from repdesk.store.paths import AppPaths
from tests.support.damage import damage_header, db_path, flip_page, make_empty, table_pages


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoHub]:
    hub = start_demo_hub(tmp_path_factory.mktemp("demo"))
    yield hub
    hub.stop()


def _rep_with_unsent_notes(
    tmp_path: Path, demo: DemoHub, capsys: pytest.CaptureFixture[str], notes: int = 3
) -> tuple[list[str], str, list[str]]:
    """Signed in and synced, then `notes` call notes logged offline on one lead.
    Returns (--data-dir args, the lead's id, the notes' bodies)."""
    data_dir = AppPaths.resolve(tmp_path / "client").data
    store = open_store(tmp_path / "client")
    try:
        engine = sync_engine(store, AppPaths.resolve(tmp_path / "client"))
        engine.login(demo.url, demo.email, demo.password)
        engine.sync()
        lead_id = store.lead_ids(LeadQuery())[0]
    finally:
        store.close()
    assert data_dir.is_dir()
    dd = ["--data-dir", str(tmp_path / "client")]
    bodies = [f"Damage drill note {i}" for i in range(notes)]
    for body in bodies:
        assert cli(["log", lead_id, "--note", body, *dd]) == 0
    capsys.readouterr()
    return dd, lead_id, bodies


def _db(dd: list[str]) -> Path:
    return db_path(AppPaths.resolve(dd[1]).data)


def test_export_pending_works_on_a_database_with_a_damaged_header(
    tmp_path: Path, demo: DemoHub, capsys: pytest.CaptureFixture[str]
) -> None:
    dd, _lead, bodies = _rep_with_unsent_notes(tmp_path, demo, capsys)
    damage_header(_db(dd))
    export = tmp_path / "unsent.json"
    code = cli(["export-pending", str(export), *dd])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "damaged" in err and "kept" in err
    document = json.loads(export.read_text(encoding="utf-8"))
    assert [i["payload"]["body"] for i in document["items"]] == bodies
    assert list(_db(dd).parent.glob("damaged-*/repdesk.sqlite3"))


def test_empty_database_of_a_signed_in_rep_is_reported_not_silently_recreated(
    tmp_path: Path, demo: DemoHub, capsys: pytest.CaptureFixture[str]
) -> None:
    dd, _lead, _bodies = _rep_with_unsent_notes(tmp_path, demo, capsys, notes=1)
    make_empty(_db(dd))
    assert cli(["status", *dd]) == 0
    captured = capsys.readouterr()
    assert "empty" in captured.err and "kept" in captured.err
    assert "Not signed in" not in captured.out
    assert f"Hub:        {demo.url}" in captured.out
    # The session survived, so the next sync downloads everything again.
    assert cli(["sync", *dd]) == 0
    assert cli(["status", *dd]) == 0
    leads = next(line for line in capsys.readouterr().out.splitlines() if "Leads:" in line)
    assert int(leads.split()[-1]) > 20


def test_flipped_page_is_found_and_the_unsent_notes_reach_the_hub(
    tmp_path: Path, demo: DemoHub, capsys: pytest.CaptureFixture[str]
) -> None:
    dd, lead_id, bodies = _rep_with_unsent_notes(tmp_path, demo, capsys)
    path = _db(dd)
    flip_page(path, table_pages(path, "leads")[0][0])

    # Within the day of the last full check, the start checks the unsent work only: the
    # damaged lead page is met when read, and said so, with advice that now helps.
    assert cli(["leads", *dd]) == 1
    err = capsys.readouterr().err.strip()
    assert "damaged" in err and "restart" in err and len(err.splitlines()) == 1

    assert cli(["status", *dd]) == 0
    captured = capsys.readouterr()
    assert "damaged" in captured.err and "kept" in captured.err
    assert "Pending:    3" in captured.out

    assert cli(["sync", *dd]) == 0, capsys.readouterr().err
    assert cli(["status", *dd]) == 0
    out = capsys.readouterr().out
    assert "Pending:    0" in out and "Rejected:   0" in out
    store = open_store(dd[1])
    try:
        assert store.recovery is None  # said once, at the start that found it
        assert store.lead_count() > 20
        notes = [n.body for n in store.notes(lead_id)]
    finally:
        store.close()
    assert all(notes.count(body) == 1 for body in bodies), notes
