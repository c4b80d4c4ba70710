"""Migrations: a fresh database, an upgrade of a committed first-revision file, newer refused."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from repdesk.domain.errors import SchemaTooNewError
from repdesk.domain.outbox import OutboxState
from repdesk.store import Store
from repdesk.store.api import LeadQuery, LeadSort
from repdesk.store.db import DB_NAME
from repdesk.store.migrate import HEAD, head_revision
from repdesk.store.models import METADATA

V1_FILE = Path(__file__).parent / "data" / "schema_v1.sqlite3"


def _indexes(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'").fetchall()
    return {r[0] for r in rows}


def _not_fts(obj: object, name: str | None, type_: str, reflected: bool, other: object) -> bool:
    return not (type_ == "table" and str(name).startswith(("leads_fts", "events_fts", "notes_fts")))


def test_fresh_database_is_at_head_with_wal_and_models_match(store: Store) -> None:
    conn = store._conn  # white-box: the pragmas and schema of the real connection
    with store._lock, conn.begin():
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0
        context = MigrationContext.configure(conn, opts={"include_object": _not_fts})
        assert context.get_current_revision() == head_revision()
        diff = compare_metadata(context, METADATA)
    assert diff == [], "the models and the migrations disagree"


def test_the_head_named_in_code_is_alembics_head() -> None:
    """A start at HEAD skips Alembic entirely (issue 9: start-up time), so the constant
    must move with every new migration."""
    assert head_revision() == HEAD


def test_upgrade_of_the_committed_first_revision_keeps_the_data(tmp_path: Path) -> None:
    data_dir = tmp_path / "old"
    data_dir.mkdir()
    shutil.copy(V1_FILE, data_dir / DB_NAME)
    assert "ix_leads_last_touch" not in _indexes(data_dir / DB_NAME)

    with Store.open(data_dir) as store:
        state = store.sync_state()
        assert state.client_id == "client-v1"
        assert state.cursor == "cursor-41"
        assert state.session is not None and state.session.rep_name == "Sam Rep"
        # Revision 4 remembers who was signed in, so signing out and back in keeps the data.
        assert (state.last_hub_url, state.last_rep_id) == (
            state.session.hub_url,
            state.session.rep_id,
        )
        # Revision 6: leads pulled before the hub sent assigned_at are re-read once, in
        # place (nothing dropped, the cursor kept for the hand-over check).
        assert state.full_resync_needed
        assert store.lead_count() == 2 and store.sla_hours() is None
        store.set_session(None)
        kept = store.sync_state()
        assert kept.session is None and kept.last_rep_id == state.session.rep_id
        lead = store.lead("v1-lead-1")
        assert lead is not None and lead.company == "Analytical Engines" and lead.version == 3
        assert [e.asset for e in store.events("v1-lead-1")] == ["Pricing page"]
        assert [n.body for n in store.notes("v1-lead-1")] == ["Wants a pilot in Q3"]
        [item] = store.outbox()
        assert (item.id, item.seq, item.state) == ("v1-mut-1", 7, OutboxState.PENDING)
        by_name = store.lead_ids(LeadQuery(sort=LeadSort.NAME, descending=False))
        assert by_name == ["v1-lead-1", "v1-lead-2"]
        assert [h.lead_id for h in store.search("pilot")] == ["v1-lead-1"]
    assert {"ix_leads_last_touch", "ix_leads_name_key"} <= _indexes(data_dir / DB_NAME)
    with sqlite3.connect(data_dir / DB_NAME) as conn:
        [(rev,)] = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    assert rev == head_revision()


def test_database_from_a_newer_repdesk_is_refused_untouched(data_dir: Path) -> None:
    Store.open(data_dir).close()
    db = data_dir / DB_NAME
    # Closed before the store opens: the store's driver (sqlcipher3) is another copy of
    # SQLite, and two copies in one process do not see each other's locks.
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("UPDATE alembic_version SET version_num = 'f00dfeed9999'")
    before = db.read_bytes()
    with pytest.raises(SchemaTooNewError, match="newer version of repdesk") as info:
        Store.open(data_dir)
    assert "Install the newer version" in str(info.value)
    assert db.read_bytes() == before
    # The refusal released the lock: fixing the database makes it open again.
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = ?", (head_revision(),))
    Store.open(data_dir).close()


def test_a_file_that_is_not_a_database_is_kept_aside_and_reported(data_dir: Path) -> None:
    """Once refused with a StoreError on every start; now set aside and said (issue 10.5:
    tests/store/test_recovery.py has every variant)."""
    garbage = b"this is not a database" * 100
    (data_dir / DB_NAME).write_bytes(garbage)
    with Store.open(data_dir) as store:
        assert store.recovery is not None and store.recovery.problem == "damaged"
        assert store.recovery.set_aside is not None
        assert (store.recovery.set_aside / DB_NAME).read_bytes() == garbage
    Store.open(data_dir).close()  # the lock was released


def test_upgrading_to_revision_5_derives_every_leads_next_step(tmp_path: Path) -> None:
    """The first-revision file plus a rubric: after the upgrade each lead shows a derived
    next step, though none was ever computed when the file was written."""
    import json

    from repdesk.domain.defaults import DEFAULT_RUBRIC
    from repdesk.store.convert import rubric_to_json
    from repdesk.store.derived import RUBRIC_ID

    data_dir = tmp_path / "old"
    data_dir.mkdir()
    shutil.copy(V1_FILE, data_dir / DB_NAME)
    with sqlite3.connect(data_dir / DB_NAME) as conn:
        conn.execute(
            "INSERT INTO rubric (id, version, data) VALUES (?, 1, ?)",
            (RUBRIC_ID, json.dumps(rubric_to_json(DEFAULT_RUBRIC))),
        )
    with Store.open(data_dir) as store:
        rows = store.lead_rows(["v1-lead-1", "v1-lead-2"])
    assert [r.next_step for r in rows] == ["Ask about budget", "Ask about budget"]
