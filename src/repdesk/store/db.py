"""The one SQLite connection: pragmas, explicit transactions, and DB errors mapped for reps."""

from __future__ import annotations

import logging
import shutil
import sqlite3
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from repdesk.domain.errors import DiskFullError, StoreError, is_no_space
from repdesk.store.cipher import CacheKey, apply_key

log = logging.getLogger(__name__)

DB_NAME = "repdesk.sqlite3"
BUSY_TIMEOUT_MS = 5000
CACHE_KIB = 16 * 1024
"""The page cache a rep's session keeps (issue 9: resident memory). 64 MB made a third of
the app's memory; 16 MB keeps a search keystroke and a lead's opening as fast at 100k leads."""
BULK_CACHE_KIB = 64 * 1024
"""While pull pages or a bulk load are applied: index upkeep on 1M-row tables thrashes a
small cache (`bulk_cache`)."""


DRIVER_ERRORS = (sqlite3.Error, sqlcipher.Error)


def _as_is(value: None) -> None:
    return value


# A None parameter is not one of the types sqlcipher3 binds directly: it is looked up as
# an adapter, then probed for `__adapt__` and `__conform__` (each a failed attribute
# lookup raising and clearing an AttributeError), ~1.3 us per None; a first sync binds one
# for each of a million events (`score_delta`). Registered, the lookup finds this at once
# and None is bound as NULL as before (executemany of 300k event rows: 0.59 -> 0.27 s).
sqlcipher.register_adapter(type(None), _as_is)


def make_engine(path: Path, key: CacheKey | None = None, *, read_only: bool = False) -> Engine:
    """An engine over exactly one DBAPI connection (StaticPool): the process's only writer.

    The driver is SQLCipher's (`sqlcipher3`, pysqlite's API); with a key, `PRAGMA key` is
    the first statement on the connection (`store/cipher.py`). The driver's implicit
    transaction handling is switched off and BEGIN is emitted by SQLAlchemy itself, so
    every `with conn.begin()` is a real SQLite transaction.
    `read_only` (the start-up check, `store/recovery.py`): opened with `mode=ro`, so a
    damaged file is never written, and closing it never folds or deletes its `-wal`. Same
    driver and key as the store's own connection: one SQLite library per process (two
    would not see each other's locks), and an encrypted file is read as what it is.
    """
    connect_args: dict[str, Any] = {"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000}
    if read_only:
        # A URI filename, quoted: a '#', '?' or '%' in a folder name must stay part of it.
        uri = f"file:{urllib.parse.quote(str(path))}?mode=ro"
        engine = create_engine(
            "sqlite://",
            module=sqlcipher,
            poolclass=StaticPool,
            creator=lambda: sqlcipher.connect(uri, uri=True, **connect_args),
        )
    else:
        engine = create_engine(
            f"sqlite:///{path}", module=sqlcipher, poolclass=StaticPool, connect_args=connect_args
        )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        apply_key(dbapi_conn, key, path)
        cur = dbapi_conn.cursor()
        try:
            if not read_only:
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cur.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
            cur.execute("PRAGMA temp_store=MEMORY")
        finally:
            cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine


LOW_SPACE_BYTES = 256 * 1024
"""Below this much free space, an I/O error from SQLite is taken to be the disk filling up
(with no room for its WAL or shared-memory file SQLite says "disk I/O error", not "full")."""
_IO_CODES = (sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN)


def _low_space(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free < LOW_SPACE_BYTES
    except OSError:
        return False


def is_disk_full(exc: BaseException, folder: Path | None = None) -> bool:
    """SQLITE_FULL, an OSError ENOSPC, or an I/O error while `folder`'s disk has no room."""
    orig = getattr(exc, "orig", exc)
    if is_no_space(orig):
        return True
    if isinstance(orig, DRIVER_ERRORS):
        code = getattr(orig, "sqlite_errorcode", None)
        if code is not None and code & 0xFF == sqlite3.SQLITE_FULL:
            return True
        if "database or disk is full" in str(orig):
            return True
        io_error = (code is not None and code & 0xFF in _IO_CODES) or "disk I/O error" in str(orig)
        return io_error and folder is not None and _low_space(folder)
    return False


CHECK_NEEDED = "check-needed"
"""Beside the database: SQLite met damage while running; the next start checks the whole
file (`store/recovery.py`)."""


def _flag_for_check(db_path: Path) -> None:
    try:
        (db_path.parent / CHECK_NEEDED).touch()
    except OSError as exc:
        log.warning("could not flag %s for a check: %s", db_path, exc)


def is_corrupt(exc: BaseException) -> bool:
    orig = getattr(exc, "orig", exc)
    code = getattr(orig, "sqlite_errorcode", None)
    return isinstance(code, int) and code & 0xFF in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)


def map_error(exc: BaseException, db_path: Path) -> StoreError:
    """The one place database exceptions become messages a rep can act on."""
    if isinstance(exc, StoreError):
        return exc
    if is_disk_full(exc, db_path.parent):
        return DiskFullError(where=db_path.parent)
    orig = getattr(exc, "orig", exc) if isinstance(exc, DBAPIError) else exc
    if is_corrupt(exc):
        _flag_for_check(db_path)
        return StoreError(
            f"repdesk's local data is damaged ({db_path}). Nothing was half-saved: restart "
            "repdesk, which checks its data at start, keeps the damaged file and recovers "
            "your unsent work."
        )
    return StoreError(
        f"repdesk could not read or write its local data ({db_path}): {orig}. "
        "Nothing was half-saved; try again, and restart repdesk if it keeps happening."
    )


@contextmanager
def mapped_errors(db_path: Path) -> Iterator[None]:
    try:
        yield
    except (SQLAlchemyError, *DRIVER_ERRORS, OSError) as exc:
        if isinstance(exc, OSError) and not is_no_space(exc):
            raise
        log.warning("database error on %s: %s", db_path, exc)
        raise map_error(exc, db_path) from exc


def rollback_journal(driver: Any, on: bool) -> bool:
    """A rollback journal (`on`) for a load into an empty cache, then back to WAL.

    Outside any transaction; the store's one connection is the only one, as switching
    out of WAL needs. In WAL every page is written twice, into the `-wal` at each commit
    and again into the file by the checkpoint; with a rollback journal a page that is new
    (past the end of the file when its transaction began: nearly every page of a first
    sync) goes straight to the file, and only pages that existed are copied to the
    journal first. Crash safety is SQLite's either way: a transaction a crash cut short
    is rolled back from the `-journal` when the file is next opened
    (`recovery.before_open` has the store's own connection do that before its read-only
    check, which cannot). True when the connection writes with a rollback journal now
    (SQLite keeps the mode it had when it cannot switch)."""
    mode = driver.execute(f"PRAGMA journal_mode={'TRUNCATE' if on else 'WAL'}").fetchone()
    return str(mode[0]).lower() != "wal"


def bulk_cache(conn: Connection, on: bool) -> None:
    """A big page cache for bulk writes (`on`), then back to the session's size with its
    memory handed back (`PRAGMA shrink_memory`)."""
    conn.exec_driver_sql(f"PRAGMA cache_size=-{BULK_CACHE_KIB if on else CACHE_KIB}")
    if not on:
        conn.exec_driver_sql("PRAGMA shrink_memory")
