"""Engine and session set-up for the hub: a SQLite file (WAL) by default, PostgreSQL by URL.

`Database(url)` owns the engine. Use `db.read()` for read-only work and `db.write()` for
every transaction that changes data. Writers are serialised, on both back-ends:

- SQLite: one writer per process (a lock; ARCHITECTURE.md: one writer per file) and
  `BEGIN IMMEDIATE`, so a writer in another process (the admin CLI) waits its turn instead
  of failing when it upgrades a read to a write;
- PostgreSQL: a transaction-scoped advisory lock taken first thing, so read-then-write
  logic (versions, conflict checks) never works from a stale read, and change-log
  numbers commit in the order they were drawn (pull never skips one).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 10_000


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def normalize_database_url(url: str) -> str:
    """`postgres://` and `postgresql://` (what hosting providers hand out) ->
    `postgresql+psycopg://`, the driver the hub ships with; anything else unchanged."""
    text_url = url.strip()
    for prefix in ("postgres://", "postgresql://"):
        if text_url.startswith(prefix):
            return "postgresql+psycopg://" + text_url[len(prefix) :]
    return text_url


def describe_database(url: str) -> str:
    """Where the data lives, for messages: the SQLite file, or PostgreSQL host/dbname
    (never the user name or password)."""
    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001 - a message must never fail on a bad URL
        return "the configured database"
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or "an in-memory SQLite database"
    host = parsed.host or "localhost"
    if parsed.port:
        host = f"{host}:{parsed.port}"
    return f"PostgreSQL {host}/{parsed.database or ''}"


WRITER_LOCK_KEY = 0x7265_7064  # "repd"
_LOCKED = "repdesk_writer_lock"


def lock_writers(session: Session) -> None:
    """Serialise this transaction with every other hub writer (no-op once held / SQLite).

    `Database.write()` calls it; call it yourself first thing in any other transaction
    that reads synced rows and then changes them.
    """
    if session.info.get(_LOCKED):
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITER_LOCK_KEY})
    session.info[_LOCKED] = True


@event.listens_for(Session, "after_transaction_end")
def _forget_writer_lock(session: Session, transaction: SessionTransaction) -> None:
    # The advisory lock ends with the database transaction; so must our memory of it.
    if transaction.parent is None:
        session.info.pop(_LOCKED, None)


def _install_sqlite_pragmas(engine: Engine, *, immediate: bool = False) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy drive BEGIN itself (pysqlite's implicit transactions break
        # SAVEPOINT and make reads non-transactional).
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql(begin)


def make_engine(url: str, *, echo: bool = False, immediate: bool = False) -> Engine:
    """An engine for `url`; SQLite files get WAL, foreign keys and a busy timeout (and
    `BEGIN IMMEDIATE` transactions with `immediate`)."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        )
        _install_sqlite_pragmas(engine, immediate=immediate)
        return engine
    if backend == "postgresql" and parsed.get_driver_name() not in ("psycopg",):
        # Only psycopg 3 is a dependency; normalise plain postgresql:// URLs to it.
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(parsed, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=10)


class Database:
    """The hub's engine plus session factories for reads and (serialised) writes."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.engine = make_engine(url, echo=echo)
        self.sqlite = self.engine.dialect.name == "sqlite"
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_engine = make_engine(url, echo=echo, immediate=True) if self.sqlite else None
        self._write_sessions = (
            sessionmaker(self._write_engine, expire_on_commit=False)
            if self._write_engine is not None
            else self._sessions
        )
        self._write_lock = threading.RLock()

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._sessions() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A serialised writing transaction: commits on success, rolls back on error."""
        if self.sqlite:
            with self._write_lock, self._write_sessions() as session, session.begin():
                yield session
        else:
            with self._sessions() as session, session.begin():
                lock_writers(session)
                yield session

    def session(self) -> Session:
        """A plain session (caller manages the transaction; on SQLite prefer `write()`)."""
        return self._sessions()

    def dispose(self) -> None:
        self.engine.dispose()
        if self._write_engine is not None:
            self._write_engine.dispose()


__all__ = [
    "Database",
    "describe_database",
    "is_sqlite",
    "lock_writers",
    "make_engine",
    "normalize_database_url",
    "sqlite_url",
]
