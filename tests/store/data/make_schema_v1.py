"""Re-create schema_v1.sqlite3: a database at the FIRST schema revision with a few rows.

Run once from the repository root (`python tests/store/data/make_schema_v1.py`); the file is
committed so the upgrade test always starts from what an old repdesk really wrote.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine

from repdesk.store.migrate import alembic_config

OUT = Path(__file__).with_name("schema_v1.sqlite3")


def main() -> None:
    OUT.unlink(missing_ok=True)
    engine = create_engine(f"sqlite:///{OUT}")
    with engine.connect() as conn:
        command.upgrade(alembic_config(conn), "0001")
        conn.commit()
    engine.dispose()
    db = sqlite3.connect(OUT)
    db.execute(
        "INSERT INTO sync_state (id, client_id, hub_url, rep_id, rep_name, rep_email, cursor, "
        "last_error, full_resync_needed, fts_stale) VALUES (1, 'client-v1', "
        "'https://hub.example', 'rep-1', 'Sam Rep', 'sam@example.com', 'cursor-41', '', 0, 0)"
    )
    cols = (
        "id, version, first_name, last_name, company, email, title, industry, phone, country, "
        "lifecycle_stage, lead_status, score, marketing_notes, external_id, next_step, name_key, "
        "ready, missing, last_touch_at"
    )
    db.executemany(
        f"INSERT INTO leads ({cols}) VALUES (?, ?, ?, ?, ?, ?, ?, '', '', '', "
        "'marketing_qualified_lead', 'new', ?, '', '', '', ?, 0, 'Budget', ?)",
        [
            (
                "v1-lead-1",
                3,
                "Ada",
                "Lovelace",
                "Analytical Engines",
                "ada@ae.example",
                "CTO",
                70,
                "ada lovelace",
                "2025-06-01 10:00:00.000000",
            ),
            (
                "v1-lead-2",
                5,
                "Grace",
                "Hopper",
                "Cobol Systems",
                "grace@cs.example",
                "VP Eng",
                55,
                "grace hopper",
                "2025-06-02 11:00:00.000000",
            ),
        ],
    )
    db.execute(
        "INSERT INTO nurture_events (id, version, lead_id, type, occurred_at, asset, detail) "
        "VALUES ('v1-ev-1', 1, 'v1-lead-1', 'web_visit', '2025-06-01 10:00:00.000000', "
        "'Pricing page', 'Spent 4 minutes')"
    )
    db.execute(
        "INSERT INTO call_notes (id, version, lead_id, body, created_at, author_rep_id, outcome) "
        "VALUES ('v1-note-1', 0, 'v1-lead-1', 'Wants a pilot in Q3', "
        "'2025-06-03 09:00:00.000000', 'rep-1', '')"
    )
    db.execute(
        "INSERT INTO outbox (id, seq, kind, entity_id, lead_id, recorded_at, base_version, "
        "payload, state, attempts, detail) VALUES ('v1-mut-1', 7, 'call_note.create', "
        "'v1-note-1', 'v1-lead-1', '2025-06-03 09:00:00.000000', NULL, ?, 'pending', 0, '')",
        (json.dumps({"body": "Wants a pilot in Q3", "outcome": ""}),),
    )
    for index in ("leads_fts", "events_fts", "notes_fts"):
        db.execute(f"INSERT INTO {index}({index}) VALUES('rebuild')")
    db.commit()
    db.execute("PRAGMA journal_mode=DELETE")
    db.close()


if __name__ == "__main__":
    main()
