"""Ways a local database gets damaged, done to a real closed SQLite file, and a rep's data
to damage: a signed-in session, leads spread over many pages, and unsent call notes.

The page helpers find pages with SQLite's own `dbstat` table, read before the damage.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from repdesk.domain.feedback import CallNote
from repdesk.domain.ids import new_id
from repdesk.store import Store
from repdesk.store.api import SessionInfo
from repdesk.store.db import DB_NAME
from tests.store.factories import at, lead, up

REP = SessionInfo("http://127.0.0.1:9", "rep-1", "Ada Rep", "ada@example.com", "hub-1")


def seed_rep_data(
    data_dir: Path, *, leads: int = 200, notes: int = 120, session: SessionInfo = REP
) -> list[str]:
    """A signed-in rep with `leads` leads and `notes` unsent call notes (long enough that
    the outbox spans several pages). Returns the unsent mutation ids in order."""
    store = Store.open(data_dir)
    try:
        store.set_session(session)
        store.apply_pull_page(
            [
                up("lead", lead(f"L{i}", f"First{i}", f"Last{i}", f"Company {i}"))
                for i in range(leads)
            ],
            "c1",
        )
        seed_notes(store, notes, leads=leads)
        return [item.id for item in sorted(store.outbox(), key=lambda i: i.seq)]
    finally:
        store.close()


def seed_notes(store: Store, notes: int, *, leads: int = 5, first: int = 0) -> None:
    """`notes` unsent call notes on leads L0..L{leads-1}, each a few hundred bytes."""
    for i in range(first, first + notes):
        body = f"Call {i}: talked budget and timing. " + "Detail " * 20
        store.add_call_note(
            CallNote(id=new_id(), lead_id=f"L{i % leads}", body=body, created_at=at(i))
        )


def db_path(data_dir: Path) -> Path:
    return data_dir / DB_NAME


def table_pages(path: Path, table: str) -> tuple[list[int], list[int]]:
    """(leaf pages, interior pages) of `table`'s b-tree, from SQLite's dbstat."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT pageno, pagetype FROM dbstat WHERE name = ? ORDER BY pageno", (table,)
        ).fetchall()
    finally:
        conn.close()
    return (
        [n for n, kind in rows if kind == "leaf"],
        [n for n, kind in rows if kind == "internal"],
    )


def page_size(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("PRAGMA page_size").fetchone()[0])
    finally:
        conn.close()


def make_empty(path: Path) -> None:
    """A zero-byte file, as a crash during a copy or a sync tool leaves it."""
    path.write_bytes(b"")


def truncate(path: Path, keep: float = 0.5) -> None:
    """Cut the file to `keep` of its length (a copy interrupted part way)."""
    size = path.stat().st_size
    os.truncate(path, int(size * keep))


def damage_header(path: Path) -> None:
    """Overwrite the 100-byte file header (the magic string, the page size, the counts)."""
    with path.open("r+b") as fh:
        fh.write(bytes(range(100, 200)))


def flip_page(path: Path, number: int) -> None:
    """Invert every bit of page `number` (a bad sector returned as garbage)."""
    size = page_size(path)
    with path.open("r+b") as fh:
        fh.seek((number - 1) * size)
        page = fh.read(size)
        fh.seek((number - 1) * size)
        fh.write(bytes(b ^ 0xFF for b in page))


__all__ = [
    "REP",
    "damage_header",
    "db_path",
    "flip_page",
    "make_empty",
    "page_size",
    "seed_notes",
    "seed_rep_data",
    "table_pages",
    "truncate",
]
