"""A load into an empty cache is written with a rollback journal (`db.rollback_journal`):
a crash in the middle of one of its transactions loses that transaction only, and the
cache opens, plain or encrypted, as it was at the last commit."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from repdesk.store import Store, fts
from repdesk.store.api import LeadQuery, RemoteLeads
from repdesk.store.bulk import BULK_THRESHOLD
from repdesk.store.cipher import CacheKey
from repdesk.store.convert import lead_row
from tests.store.factories import lead

PAGE = BULK_THRESHOLD + 100

# Run in a child process, which dies half-way through the second page's transaction: the
# fault is injected precisely (the second page's leads written, its transaction open, the
# page cache made tiny so those pages have already reached the file), which is why this
# one test replaces `upsert_tuples` with a wrapper.
_CHILD = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from repdesk.store import Store, pull
    from repdesk.store.api import RemoteLeads
    from repdesk.store.cipher import CacheKey
    from repdesk.store.convert import lead_row
    from tests.store.factories import lead

    folder, key_hex, page = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    key = CacheKey.from_hex(key_hex) if key_hex else None
    store = Store.open(folder, key=key)
    first = [lead_row(lead(f"A{i}", "Kept", f"N{i}"), 1) for i in range(page)]
    store.apply_pull_page([RemoteLeads(first)], "c1")
    print(store._rollback_journal, flush=True)
    driver = store._conn.connection.driver_connection
    original = pull.upsert_tuples

    def dies_after_writing(conn, *args, **kwargs):
        conn.exec_driver_sql("PRAGMA cache_size=10")
        original(conn, *args, **kwargs)
        os._exit(9)

    pull.upsert_tuples = dies_after_writing
    second = [lead_row(lead(f"B{i}", "Lost", f"N{i}"), 1) for i in range(page)]
    store.apply_pull_page([RemoteLeads(second)], "c2")
    """
)


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
def test_a_crash_in_a_bulk_transaction_loses_only_that_transaction(
    data_dir: Path, encrypted: bool
) -> None:
    key = CacheKey.generate() if encrypted else None
    root = Path(__file__).resolve().parents[2]
    child = subprocess.run(
        [sys.executable, "-c", _CHILD, str(data_dir), key.secret if key else "", str(PAGE)],
        cwd=root,
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == 9, child.stderr
    assert child.stdout.split() == ["True"]  # the first page turned the rollback journal on
    journal = data_dir / "repdesk.sqlite3-journal"
    assert journal.stat().st_size > 0  # hot: the second page's transaction never ended
    with Store.open(data_dir, key=key) as store:
        assert store.recovery is None  # nothing damaged, nothing set aside
        assert store.sync_state().cursor == "c1"
        assert len(store.lead_ids(LeadQuery(search="kept"))) == PAGE
        assert store.lead_ids(LeadQuery(search="lost")) == []
        with store._tx() as conn:  # white-box: the whole file, and FTS5 against its tables
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
            fts.integrity_check(conn)
        # The sync goes on from the cursor it had.
        store.apply_pull_page([RemoteLeads([lead_row(lead("C1", "Later"), 1)])], "c3")
        store.finish_sync()
        assert store.sync_state().cursor == "c3"
        assert len(store.lead_ids(LeadQuery(search="later"))) == 1
