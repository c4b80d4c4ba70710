"""What the fault suite checks after every fault: the files are sound, nothing is doubled."""

from __future__ import annotations

import hashlib
import sqlite3
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from repdesk.hub.db import models as m
from repdesk.hub.db.engine import Database
from repdesk.store.db import DB_NAME


def integrity(path: Path) -> str:
    """SQLite's own `PRAGMA integrity_check` of a database no process holds open."""
    with sqlite3.connect(path) as conn:
        rows = conn.execute("PRAGMA integrity_check").fetchall()
    conn.close()
    return "; ".join(str(r[0]) for r in rows)


def client_integrity(home: Path) -> str:
    return integrity(home / "data" / DB_NAME)


def cache_problems(cache_dir: Path) -> list[str]:
    """Installed collateral files whose content is not what their name (sha256) says."""
    bad = []
    for path in cache_dir.glob("*/*"):
        if "." in path.name or len(path.name) != 64:
            continue  # a partial download or its validator: resumable, never served
        if hashlib.sha256(path.read_bytes()).hexdigest() != path.name:
            bad.append(path.name)
    return bad


def not_exactly_once(db: Database, bodies: dict[str, str]) -> dict[str, tuple[int, int]]:
    """The notes (id -> text) NOT on the hub exactly once, with (rows by id, rows by text):
    counting by the (unique) text too shows a note sent again under another id."""
    with db.read() as s:
        rows = s.execute(select(m.CallNote.id, m.CallNote.body)).all()
    by_id = Counter(r.id for r in rows)
    by_body = Counter(r.body for r in rows)
    counts = {n: (by_id[n], by_body[text]) for n, text in bodies.items()}
    return {n: c for n, c in counts.items() if c != (1, 1)}


def hub_lead_ids(db: Database, rep: str) -> set[str]:
    """The ids of the leads a rep owns on the hub."""
    with db.read() as s:
        return set(s.scalars(select(m.Lead.id).where(m.Lead.owner_rep_id == rep)))
