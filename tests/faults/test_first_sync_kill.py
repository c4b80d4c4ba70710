"""kill -9 of the client in the middle of a FIRST sync of bulk pages.

Bulk pages (more than `BULK_THRESHOLD` changes into an empty cache) load leads and events
with their secondary indexes dropped, derived lead columns and full-text indexes left for
the end of the sync (`store/bulk.py`). A kill before that end must leave a sound file
that the next open repairs: every index back, derived columns and search right, and the
rep's queued work kept and sent once.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from repdesk.domain.feedback import CallNote
from repdesk.domain.ids import new_id, utcnow
from repdesk.store import Store
from repdesk.store.api import LeadQuery
from repdesk.store.bulk import BULK_TABLES
from repdesk.store.db import DB_NAME
from tests.faults.checks import client_integrity, hub_lead_ids, not_exactly_once
from tests.faults.test_kill9 import EMAIL, seed_hub
from tests.support.fault_driver import note_body
from tests.support.fault_fixtures import ForkServer
from tests.support.hub_fixtures import PASSWORD
from tests.support.sync_fixtures import LiveHub

PAGE = 600  # above BULK_THRESHOLD (500): bulk pages, each written alone (`pull_batch`)


def _index_names(home: Path) -> set[str]:
    with sqlite3.connect(home / "data" / DB_NAME) as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'").fetchall()
    conn.close()
    return {r[0] for r in rows}


def _run(fork_server: ForkServer, live_hub: LiveHub, home: Path, **cmd: object) -> tuple[int, int]:
    pid = fork_server.start(
        "client", home=str(home), url=live_hub.url, email=EMAIL, password=PASSWORD,
        pull_limit=PAGE, pull_batch=PAGE, **cmd,
    )  # fmt: skip
    ended = fork_server.wait(pid)
    return ended.signal, ended.code or 0


@pytest.mark.timeout(900)
def test_a_first_sync_killed_between_bulk_pages_is_repaired_at_the_next_open(
    live_hub: LiveHub, fork_server: ForkServer, tmp_path: Path, password_hash: str
) -> None:
    rep = seed_hub(live_hub.db, password_hash, leads=700)  # ~1,400 changes: 3 bulk pages
    home = tmp_path / "client"
    home.mkdir()
    wanted = {ix.name for table in BULK_TABLES for ix in table.indexes}

    # Killed as the second page is applied (the first one is committed, indexes dropped).
    killed = _run(fork_server, live_hub, home, kill={"window": "apply", "nth": 2, "delay": 0})
    assert killed == (9, 0), fork_server.log.read_text()[-4000:]
    assert client_integrity(home) == "ok"
    assert not wanted <= _index_names(home), "the bulk page dropped the secondary indexes"

    store = Store.open(home / "data")  # the next start
    try:
        assert wanted <= _index_names(home)
        leads = store.lead_ids(LeadQuery())
        assert leads, "the committed page's leads are there"
        first = store.lead(leads[0])
        assert first is not None and first.last_touch_at is not None, "derived columns done"
        hits = store.lead_ids(LeadQuery(search=first.first_name))
        assert leads[0] in hits, "the full-text index was rebuilt"
        note = CallNote(new_id(), leads[0], note_body("after-kill"), utcnow())
        store.add_call_note(note)
    finally:
        store.close()

    # Killed again at the first page of the resumed sync, then a clean run.
    again = _run(fork_server, live_hub, home, kill={"window": "apply", "nth": 1, "delay": 0})
    assert again == (9, 0), fork_server.log.read_text()[-4000:]
    assert client_integrity(home) == "ok"
    assert _run(fork_server, live_hub, home) == (0, 0), fork_server.log.read_text()[-4000:]

    store = Store.open(home / "data")
    try:
        assert store.outbox_counts().pending == 0
        assert set(store.lead_ids(LeadQuery())) == hub_lead_ids(live_hub.db, rep)
        assert wanted <= _index_names(home)
    finally:
        store.close()
    assert not_exactly_once(live_hub.db, {note.id: note.body}) == {}
