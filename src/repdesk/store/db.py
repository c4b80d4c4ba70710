"""The one SQLite connection: pragmas, explicit transactions, and DB errors mapped for reps."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from repdesk.domain.errors import DiskFullError, StoreError
from repdesk.store.cipher import CacheKey, apply_key

log = logging.getLogger(__name__)

DB_NAME = "repdesk.sqlite3"
BUSY_TIMEOUT_MS = 5000
CACHE_KIB = 64 * 1024


DRIVER_ERRORS = (sqlite3.Error, sqlcipher.Error)


def make_engine(path: Path, key: CacheKey | None = None) -> Engine:
    """An engine over exactly one DBAPI connection (StaticPool): the process's only writer.

    The driver is SQLCipher's (`sqlcipher3`, pysqlite's API); with a key, `PRAGMA key` is
    the first statement on the connection (`store/cipher.py`). The driver's implicit
    transaction handling is switched off and BEGIN is emitted by SQLAlchemy itself, so
    every `with conn.begin()` is a real SQLite transaction.
    """
    engine = create_engine(
        f"sqlite:///{path}",
        module=sqlcipher,
        poolclass=StaticPool,
        connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        apply_key(dbapi_conn, key, path)
        cur = dbapi_conn.cursor()
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            # 64 MB of page cache: index upkeep on 1M-row tables thrashes the 2 MB default.
            cur.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
            cur.execute("PRAGMA temp_store=MEMORY")
        finally:
            cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine


def is_disk_full(exc: BaseException) -> bool:
    orig = getattr(exc, "orig", exc)
    if isinstance(orig, DRIVER_ERRORS):
        code = getattr(orig, "sqlite_errorcode", None)
        if code == sqlite3.SQLITE_FULL:
            return True
        return "database or disk is full" in str(orig)
    return False


def map_error(exc: BaseException, db_path: Path) -> StoreError:
    """The one place database exceptions become messages a rep can act on."""
    if isinstance(exc, StoreError):
        return exc
    if is_disk_full(exc):
        return DiskFullError(
            "Your disk is full, so repdesk could not save that change. Nothing was lost: "
            "free some space and try again."
        )
    orig = getattr(exc, "orig", exc) if isinstance(exc, DBAPIError) else exc
    return StoreError(
        f"repdesk could not read or write its local data ({db_path}): {orig}. "
        "Nothing was half-saved; try again, and restart repdesk if it keeps happening."
    )


@contextmanager
def mapped_errors(db_path: Path) -> Iterator[None]:
    try:
        yield
    except (SQLAlchemyError, *DRIVER_ERRORS) as exc:
        log.warning("database error on %s: %s", db_path, exc)
        raise map_error(exc, db_path) from exc
