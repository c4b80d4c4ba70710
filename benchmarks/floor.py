"""The machine's floor for writing a local cache: a plain stdlib `sqlite3` program that
writes the same rows into the same final schema (tables, indexes, FTS5 indexes) as fast
as it can.

The rows and the schema are read (untimed) from a database the store wrote; the timed
part creates the tables, inserts every row with one `executemany` per table in one
transaction, then builds the indexes and rebuilds the FTS5 indexes, with the store's own
durability (WAL, synchronous=FULL), so the floor is a real cache, not a RAM disk.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlcipher3.dbapi2 as sqlcipher


@dataclass(frozen=True)
class Snapshot:
    tables: list[str]  # CREATE TABLE statements (plain tables, then FTS5 virtual tables)
    indexes: list[str]  # CREATE INDEX / CREATE TRIGGER statements
    fts: list[str]  # names of the FTS5 tables to rebuild
    rows: dict[str, tuple[str, list[tuple[Any, ...]]]]  # table -> (INSERT sql, rows)

    @property
    def row_count(self) -> int:
        return sum(len(rows) for _sql, rows in self.rows.values())


def snapshot(db_file: Path) -> Snapshot:
    """Schema and rows of a store's database (FTS shadow tables excluded: rebuilt).

    Read through `sqlcipher3`, the SQLite library the store itself links, never the
    stdlib's: the store may still hold the file open in this process, and two SQLite
    libraries on one file in one process do not see each other's locks, so the stdlib's
    close truncated the WAL index under the store's mapping (a SIGBUS at the next sync,
    which stopped every L run of `./dev bench` after its first sync)."""
    src = sqlcipher.connect(f"file:{db_file}?mode=ro", uri=True)
    try:
        objects = src.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid"
        ).fetchall()
        fts = [name for kind, name, sql in objects if kind == "table" and "fts5" in sql.lower()]
        shadow = tuple(f"{name}_" for name in fts)
        tables, indexes, rows = [], [], {}
        for kind, name, sql in objects:
            if name.startswith("sqlite_") or name.startswith(shadow):
                continue
            if kind == "table":
                tables.append(sql)
                if name in fts:
                    continue
                data = src.execute(f'SELECT * FROM "{name}"').fetchall()
                if data:
                    marks = ", ".join("?" * len(data[0]))
                    rows[name] = (f'INSERT INTO "{name}" VALUES ({marks})', data)
            elif kind in ("index", "trigger"):
                indexes.append(sql)
        return Snapshot(tables, indexes, fts, rows)
    finally:
        src.close()


def write_floor(snap: Snapshot, db_file: Path, phases: dict[str, float] | None = None) -> float:
    """Seconds to write `snap` into a fresh file at `db_file`, as fast as stdlib can; with
    `phases`, the seconds of each phase (insert, indexes, fts, commit) go there too."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_file}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    clock = [started]

    def lap(phase: str) -> None:
        now = time.perf_counter()
        if phases is not None:
            phases[phase] = now - clock[0]
        clock[0] = now

    conn = sqlite3.connect(db_file, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("BEGIN")
    for sql in snap.tables:
        conn.execute(sql)
    for sql, data in snap.rows.values():
        conn.executemany(sql, data)
    lap("insert")
    for sql in snap.indexes:
        conn.execute(sql)
    lap("indexes")
    for name in snap.fts:
        conn.execute(f"INSERT INTO {name}({name}) VALUES('rebuild')")
    lap("fts")
    conn.execute("COMMIT")
    conn.close()
    lap("commit")
    return time.perf_counter() - started
