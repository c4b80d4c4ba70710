"""A full resync of a big book: no IN list with one variable per lead (SQLite caps those:
32,766 in stock builds, 250,000 in Debian's), so any number of leads can be resynced."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from repdesk.domain.feedback import CallNote
from repdesk.domain.ids import utcnow
from repdesk.domain.leads import Lead
from repdesk.store import Store


def test_full_resync_of_more_leads_than_sqlite_has_variables(tmp_path: Path) -> None:
    limit = sqlite3.connect(":memory:").getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    with Store.open(tmp_path / "data") as store:
        leads = [
            Lead(id=f"L{i}", first_name="A", last_name=str(i), company="Co")
            for i in range(limit + 1000)
        ]
        store.bulk_load(leads, [])
        store.add_call_note(CallNote(id="n1", lead_id="L7", body="unsent", created_at=utcnow()))
        store.begin_full_resync()
        assert store.lead_count() == 0
        assert [n.body for n in store.notes("L7")] == ["unsent"]
        assert store.outbox_counts().pending == 1
