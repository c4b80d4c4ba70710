"""The SQLite hub's WAL checkpoints run on a thread of their own (`hub/db/checkpoint.py`),
not inside a push's commit; the writers' automatic checkpoint stays as the bound."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import text

from repdesk.hub.db.checkpoint import WRITER_AUTOCHECKPOINT_PAGES, Checkpointer
from repdesk.hub.db.engine import SQLITE_BUSY_TIMEOUT_MS, Database, sqlite_url


def test_the_hubs_writers_leave_checkpoints_to_the_thread_up_to_a_bound(tmp_path: Path) -> None:
    db = Database(sqlite_url(tmp_path / "hub.db"))
    try:
        with db.write() as session:
            writer = session.execute(text("PRAGMA wal_autocheckpoint")).scalar_one()
        with db.read() as session:
            reader = session.execute(text("PRAGMA wal_autocheckpoint")).scalar_one()
    finally:
        db.dispose()
    assert writer == WRITER_AUTOCHECKPOINT_PAGES > 1000
    assert reader == 1000  # SQLite's default: readers write nothing to checkpoint


def test_a_poke_copies_the_committed_pages_into_the_database_file(tmp_path: Path) -> None:
    path = tmp_path / "hub.db"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")  # only the thread may checkpoint
    writer.execute("CREATE TABLE t (b BLOB)")
    writer.execute("INSERT INTO t VALUES (zeroblob(1000000))")
    before = path.stat().st_size
    checkpoints = Checkpointer(str(path), SQLITE_BUSY_TIMEOUT_MS)

    checkpoints.poke()
    checkpoints.close()  # returns once the checkpoint the poke asked for has run

    assert before < 100_000  # the megabyte was only in the WAL...
    assert path.stat().st_size > 1_000_000  # ...and is in the database file now
    assert writer.execute("SELECT length(b) FROM t").fetchone() == (1_000_000,)
    writer.close()


def test_a_closed_checkpointer_ignores_pokes(tmp_path: Path) -> None:
    checkpoints = Checkpointer(str(tmp_path / "hub.db"), SQLITE_BUSY_TIMEOUT_MS)
    checkpoints.close()
    checkpoints.poke()  # e.g. a write finishing as the hub stops: no thread is started
    assert checkpoints._thread is None
