"""A damaged, empty or missing local database at start (issue 10, defect 5).

Each variant damages a real SQLite file the store wrote (`tests/support/damage.py`), then
opens it again as the app and the CLI do: the damage is said in words, the old file is kept
aside, the unsent items that can be read are back in the new database, and the rep's
session is there for the next sync to resend them and download the rest.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from repdesk.domain.errors import StoreError
from repdesk.domain.outbox import OutboxState
from repdesk.store import Store
from repdesk.store.api import LeadQuery, MutationOutcome

if TYPE_CHECKING:
    from repdesk.store.recovery import Recovery
from tests.support.damage import (
    REP,
    damage_header,
    db_path,
    flip_page,
    make_empty,
    page_size,
    seed_notes,
    seed_rep_data,
    table_pages,
    truncate,
)

CHECKED_NAME = "last-check.json"
"""Beside the database: when the whole file was last checked."""
MARKER_NAME = "signed-in.json"
"""Beside the database: who was signed in on this computer (no secrets)."""
SALVAGE_FILE = "unsent-items.json"
"""In the damaged-* folder: the salvaged unsent items, in export-pending's format."""


def _cells(path: Path, pages: list[int]) -> int:
    conn = sqlite3.connect(path)
    try:
        marks = ",".join("?" for _ in pages)
        sql = f"SELECT coalesce(sum(ncell), 0) FROM dbstat WHERE pageno IN ({marks})"  # noqa: S608
        return int(conn.execute(sql, pages).fetchone()[0])
    finally:
        conn.close()


def _reopen(data_dir: Path) -> tuple[Recovery, list[str], Store]:
    store = Store.open(data_dir)
    assert store.sync_state().session == REP, "the rep must still be signed in"
    assert store.recovery is not None, "the damage must be reported, not hidden"
    return store.recovery, [i.id for i in sorted(store.outbox(), key=lambda i: i.seq)], store


def _kept_aside(found: Recovery) -> Path:
    assert found.set_aside is not None and found.set_aside.is_dir()
    return found.set_aside


def test_a_healthy_database_opens_without_a_report(data_dir: Path) -> None:
    seed_rep_data(data_dir, leads=5, notes=3)
    with Store.open(data_dir) as store:
        assert store.recovery is None
        assert len(store.outbox()) == 3
    assert not list(data_dir.glob("damaged-*"))
    assert json.loads((data_dir / MARKER_NAME).read_text())["rep_id"] == REP.rep_id


def test_zero_byte_database_with_a_signed_in_rep_is_reported_and_kept(data_dir: Path) -> None:
    seed_rep_data(data_dir, leads=5, notes=3)
    make_empty(db_path(data_dir))
    found, outbox, store = _reopen(data_dir)
    with store:
        assert found.problem == "empty"
        assert outbox == []  # zero bytes hold nothing to salvage; the message says so
        assert "empty" in found.message() and "could not be found" in found.message()
        assert store.sync_state().full_resync_needed
    kept = _kept_aside(found) / db_path(data_dir).name
    assert kept.exists() and kept.stat().st_size == 0


def test_zero_byte_database_on_a_first_start_is_simply_created(data_dir: Path) -> None:
    make_empty(db_path(data_dir))
    with Store.open(data_dir) as store:
        assert store.recovery is None and store.sync_state().session is None


def test_after_signing_out_an_empty_database_is_a_fresh_start(data_dir: Path) -> None:
    seed_rep_data(data_dir, leads=5, notes=0)
    with Store.open(data_dir) as store:
        store.set_session(None)
    assert not (data_dir / MARKER_NAME).exists()
    make_empty(db_path(data_dir))
    with Store.open(data_dir) as store:
        assert store.recovery is None and store.sync_state().session is None


def test_missing_database_where_a_rep_was_signed_in_is_reported(data_dir: Path) -> None:
    seed_rep_data(data_dir, leads=5, notes=3)
    db_path(data_dir).unlink()
    found, _outbox, store = _reopen(data_dir)
    store.close()
    assert found.problem == "missing" and "missing" in found.message()


def test_damaged_header_salvages_every_unsent_item(data_dir: Path) -> None:
    ids = seed_rep_data(data_dir)
    damage_header(db_path(data_dir))
    found, outbox, store = _reopen(data_dir)
    with store:
        assert found.problem == "damaged" and found.damaged_pages == 0
        assert outbox == ids
        first = store.outbox()[0]
        assert first.state is OutboxState.PENDING and first.payload["body"].startswith("Call 0:")
    aside = _kept_aside(found)
    assert (aside / db_path(data_dir).name).read_bytes()[:5] == bytes(range(100, 105))
    exported = json.loads((aside / SALVAGE_FILE).read_text())
    assert [i["id"] for i in exported["items"]] == ids


def test_truncated_file_salvages_the_rows_on_the_pages_left(data_dir: Path) -> None:
    ids = seed_rep_data(data_dir)
    path = db_path(data_dir)
    leaves, _ = table_pages(path, "outbox")
    cut = leaves[len(leaves) // 2]  # the file ends just before this outbox page
    expected = _cells(path, [n for n in leaves if n < cut])
    truncate(path, (cut - 1) * page_size(path) / path.stat().st_size)
    found, outbox, store = _reopen(data_dir)
    store.close()
    assert found.problem == "damaged" and found.damaged_pages > 0
    assert 0 < expected < len(ids)
    assert len(outbox) == expected and set(outbox) <= set(ids)
    assert "could not be read" in found.message()


def test_flipped_page_in_a_lead_table_page_is_found_at_start(data_dir: Path) -> None:
    """The page breaks no outbox row: quick_check finds it, every unsent item survives."""
    ids = seed_rep_data(data_dir)
    path = db_path(data_dir)
    flip_page(path, table_pages(path, "leads")[0][2])
    found, outbox, store = _reopen(data_dir)
    with store:
        assert found.problem == "damaged" and outbox == ids
        assert store.lead_count() == 0  # downloaded again by the next sync
    _kept_aside(found)


def test_within_a_day_a_damaged_lead_page_is_found_when_read_then_at_the_next_start(
    data_dir: Path,
) -> None:
    """Starts after the day's full check look only at the unsent work and the session; a
    damaged lead page is met when read, said as damage, and recovered at the next start."""
    ids = seed_rep_data(data_dir)
    Store.open(data_dir).close()  # the day's full check
    assert (data_dir / CHECKED_NAME).exists()
    path = db_path(data_dir)
    flip_page(path, table_pages(path, "leads")[0][2])
    with Store.open(data_dir) as store:
        assert store.recovery is None
        with pytest.raises(StoreError, match="damaged") as info:
            store.lead_rows(store.lead_ids(LeadQuery()))
        assert "restart" in str(info.value)
    found, outbox, store = _reopen(data_dir)
    store.close()
    assert found.problem == "damaged" and outbox == ids


def test_a_day_later_the_whole_file_is_checked_at_start(data_dir: Path) -> None:
    seed_rep_data(data_dir, leads=200, notes=3)
    Store.open(data_dir).close()
    (data_dir / CHECKED_NAME).write_text('{"full_check_at": "2020-01-01T00:00:00+00:00"}')
    path = db_path(data_dir)
    flip_page(path, table_pages(path, "leads")[0][2])
    found, _outbox, store = _reopen(data_dir)
    store.close()
    assert found.problem == "damaged"


def test_a_damaged_outbox_page_is_found_at_every_start(data_dir: Path) -> None:
    ids = seed_rep_data(data_dir)
    Store.open(data_dir).close()  # the day's full check: later starts check the outbox only
    path = db_path(data_dir)
    leaves, _ = table_pages(path, "outbox")
    lost = _cells(path, [leaves[0]])
    flip_page(path, leaves[0])
    found, outbox, store = _reopen(data_dir)
    store.close()
    assert found.problem == "damaged" and len(outbox) == len(ids) - lost


def test_flipped_outbox_page_loses_only_that_pages_rows(data_dir: Path) -> None:
    ids = seed_rep_data(data_dir)
    path = db_path(data_dir)
    leaves, _ = table_pages(path, "outbox")
    lost = _cells(path, [leaves[1]])
    flip_page(path, leaves[1])
    found, outbox, store = _reopen(data_dir)
    store.close()
    assert found.damaged_pages == 1 and lost > 0
    assert len(outbox) == len(ids) - lost
    assert outbox == [i for i in ids if i in set(outbox)]  # order kept


def test_flipped_outbox_interior_page_still_finds_every_leaf(data_dir: Path) -> None:
    """The tree's root is garbage, so the leaves are found by their shape (orphan scan)."""
    ids = seed_rep_data(data_dir)
    path = db_path(data_dir)
    _, interior = table_pages(path, "outbox")
    assert interior, "the outbox must span more than one page for this test"
    flip_page(path, interior[0])
    found, outbox, store = _reopen(data_dir)
    store.close()
    assert outbox == ids and found.damaged_pages == 1


def test_items_the_hub_already_has_are_not_sent_again(data_dir: Path) -> None:
    ids = seed_rep_data(data_dir, leads=5, notes=4)
    with Store.open(data_dir) as store:
        store.apply_outcomes([MutationOutcome(ids[0], OutboxState.APPLIED, server_version=1)])
    damage_header(db_path(data_dir))
    _found, outbox, store = _reopen(data_dir)
    store.close()
    assert outbox == ids[1:]


def test_unsent_items_only_in_the_wal_are_salvaged(tmp_path: Path, data_dir: Path) -> None:
    """A crash leaves the last writes in `-wal`: copied while the store is still open."""
    seed_rep_data(data_dir, leads=5, notes=2)
    crashed = tmp_path / "crashed"
    with Store.open(data_dir) as store:
        seed_notes(store, 5, first=2)
        ids = [i.id for i in sorted(store.outbox(), key=lambda i: i.seq)]
        assert Path(f"{db_path(data_dir)}-wal").stat().st_size > 0
        shutil.copytree(data_dir, crashed, ignore=shutil.ignore_patterns(".lock"))
    damage_header(db_path(crashed))
    found, outbox, store = _reopen(crashed)
    store.close()
    assert outbox == ids
    aside = _kept_aside(found)
    assert (aside / f"{db_path(crashed).name}-wal").exists()


@pytest.mark.parametrize("damage", [damage_header, make_empty])
def test_the_next_start_is_quiet(data_dir: Path, damage: object) -> None:
    seed_rep_data(data_dir, leads=5, notes=3)
    damage(db_path(data_dir))  # type: ignore[operator]
    Store.open(data_dir).close()
    with Store.open(data_dir) as store:
        assert store.recovery is None


def test_without_the_marker_the_session_is_read_back_from_the_damaged_file(
    data_dir: Path,
) -> None:
    """An installation from before the marker: the session row itself is salvaged."""
    ids = seed_rep_data(data_dir, leads=5, notes=3)
    (data_dir / MARKER_NAME).unlink()
    damage_header(db_path(data_dir))
    found, outbox, store = _reopen(data_dir)
    store.close()
    assert found.session["rep_email"] == REP.rep_email and outbox == ids
