"""Engine and session set-up for the hub: a SQLite file (WAL) by default, PostgreSQL by URL.

`Database(url)` owns the engine. Use `db.read()` for read-only work and `db.write()` for
every transaction that changes data; a push uses `db.write(rep_id=...)`.

- SQLite: one writer per process (a lock; ARCHITECTURE.md: one writer per file) and
  `BEGIN IMMEDIATE`, so a writer in another process (the admin CLI) waits its turn instead
  of failing when it upgrades a read to a write. `rep_id` changes nothing there.
- PostgreSQL: no lock keeps pulls gap-free any more (the change log records each writing
  transaction's id and pulls read below a safe horizon: `repdesk.hub.sync.changes`).
  Locks only protect read-then-write logic, two transaction-scoped advisory locks per
  database schema (so hubs in other schemas of one server never wait for each other):

  * the **writers lock**: `db.write()` takes it EXCLUSIVE (marketing's operations,
    imports, assignment: they read and change many reps' rows, and stay serialised with
    every other writer, as before);
  * `db.write(rep_id=...)` takes it SHARED, then the **rep lock** of that rep EXCLUSIVE:
    pushes of different reps run in parallel; two pushes of one rep (two devices, two
    hubs behind a load balancer) take turns. Rows both could touch (a lead an ex-owner
    still writes feedback about) are locked by the push itself with `SELECT ... FOR
    UPDATE`, every lead of a batch at once in id order (`repdesk.hub.sync.push`);
  * a sign-in's bookkeeping (`db.write(sign_in=email)`: its login attempts, its token, a
    rehashed password) takes neither: it writes no synced row and no change-log row, so
    it needs no place below the pull horizon, and it never waits for marketing's writers
    nor holds up a push. It takes only the **sign-in lock** of that account EXCLUSIVE,
    so a burst of parallel guesses at one account is checked and counted in turn.

  Lock order is fixed, so no deadlock can form: writers lock (shared or exclusive), then
  at most one rep lock, then lead rows in id order, then the rows the effects write.
  A transaction holding a writers lock in either mode never asks for it again
  (`lock_writers` is a no-op then), so a shared holder never tries to upgrade.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from repdesk.hub.db.checkpoint import WRITER_AUTOCHECKPOINT_PAGES, Checkpointer

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


_LOCKED = "repdesk_writer_lock"
_WRITERS_KEY = "hashtextextended(current_schema() || '/repdesk-writers', 0)"
_REP_KEY = "hashtextextended(current_schema() || '/repdesk-rep/' || :rep, 0)"
_SIGN_IN_KEY = "hashtextextended(current_schema() || '/repdesk-sign-in/' || :account, 0)"


def lock_writers(session: Session) -> None:
    """Serialise this transaction with every other hub writer of this database schema
    (PostgreSQL; no-op on SQLite, or once this transaction holds a writers lock in
    either mode).

    `Database.write()` calls it; call it yourself first thing in any other transaction
    that reads synced rows and then changes them.
    """
    if session.info.get(_LOCKED):
        return
    if session.get_bind().dialect.name == "postgresql":
        if session.scalar(text("SELECT pg_current_xact_id_if_assigned()")) is not None:
            raise RuntimeError("a hub writer must take its lock before its first write")
        session.execute(text(f"SELECT pg_advisory_xact_lock({_WRITERS_KEY})"))
        _take_xid(session)
    session.info[_LOCKED] = "all"


def lock_rep_writer(session: Session, rep_id: str) -> None:
    """Take the writers lock SHARED and `rep_id`'s lock EXCLUSIVE (PostgreSQL; no-op on
    SQLite): this transaction runs beside other reps' and after this rep's earlier ones.

    First thing in the transaction, before any other lock (see the module docstring).
    """
    if session.info.get(_LOCKED):
        raise RuntimeError("this transaction already holds a writers lock")
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"SELECT pg_advisory_xact_lock_shared({_WRITERS_KEY})"))
        session.execute(text(f"SELECT pg_advisory_xact_lock({_REP_KEY})"), {"rep": rep_id})
        _take_xid(session)
    session.info[_LOCKED] = f"rep:{rep_id}"


def lock_sign_in(session: Session, account: str) -> None:
    """Take `account`'s sign-in lock EXCLUSIVE (PostgreSQL; no-op on SQLite, whose one
    writer serialises everything): sign-ins of one account take turns, and wait for no
    other writer. Such a transaction must not write synced rows (it holds no writers
    lock, so `lock_writers` inside it still guards a change-log write)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"SELECT pg_advisory_xact_lock({_SIGN_IN_KEY})"), {"account": account})


def _take_xid(session: Session) -> None:
    # Only now, holding the writers lock: from here until it ends this transaction is a
    # holder with an xid, which is what the pull horizon looks for (`writers_horizon`).
    session.execute(text("SELECT pg_current_xact_id()"))


WRITERS_HORIZON_SQL = f"""
WITH next AS (
    SELECT (pg_snapshot_xmax(pg_current_snapshot())::text)::bigint AS xid
), holders AS (
    SELECT DISTINCT pid FROM pg_locks
    WHERE locktype = 'advisory' AND granted
      AND classid = (({_WRITERS_KEY} >> 32) & 4294967295)::bigint::oid
      AND objid = ({_WRITERS_KEY} & 4294967295)::bigint::oid
      AND objsubid = 1
)
SELECT LEAST(
    next.xid,
    MIN(next.xid - ((next.xid % 4294967296) - (l.transactionid::text)::bigint
                    + 4294967296) % 4294967296)
)
FROM next
LEFT JOIN pg_locks l
  ON l.locktype = 'transactionid' AND l.granted AND l.mode = 'ExclusiveLock'
 AND l.pid IN (SELECT pid FROM holders)
GROUP BY next.xid
"""


def writers_horizon(session: Session) -> int:
    """PostgreSQL: an xid below which no hub writer of this schema can still commit.

    Every change-log writer holds the writers advisory lock (shared or exclusive) and
    takes its xid only once it holds it (`_take_xid`). Read in its own statement BEFORE
    the rows are read (READ COMMITTED: the rows' statement gets a later snapshot):
    the lowest xid among the lock's holders now, else the next xid to be assigned. A
    writer not holding the lock now either ended before this look (its rows are visible
    to the later statement) or will get an xid at or above the next one. Unlike the
    cluster-wide `pg_snapshot_xmin`, transactions of other schemas and databases on the
    same server never hold it back."""
    return int(session.scalar(text(WRITERS_HORIZON_SQL)) or 0)


@event.listens_for(Session, "after_transaction_end")
def _forget_writer_lock(session: Session, transaction: SessionTransaction) -> None:
    # The advisory locks end with the database transaction; so must our memory of them.
    if transaction.parent is None:
        session.info.pop(_LOCKED, None)


def _install_sqlite_pragmas(
    engine: Engine, *, immediate: bool = False, autocheckpoint: int | None = None
) -> None:
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
        if autocheckpoint is not None:
            cur.execute(f"PRAGMA wal_autocheckpoint={autocheckpoint}")
        cur.close()

    begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql(begin)


def make_engine(
    url: str, *, echo: bool = False, immediate: bool = False, autocheckpoint: int | None = None
) -> Engine:
    """An engine for `url`; SQLite files get WAL, foreign keys and a busy timeout (and
    `BEGIN IMMEDIATE` transactions with `immediate`, a `wal_autocheckpoint` of
    `autocheckpoint` pages when given)."""
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
        _install_sqlite_pragmas(engine, immediate=immediate, autocheckpoint=autocheckpoint)
        return engine
    if backend == "postgresql" and parsed.get_driver_name() not in ("psycopg",):
        # Only psycopg 3 is a dependency; normalise plain postgresql:// URLs to it.
        parsed = parsed.set(drivername="postgresql+psycopg")
    engine = create_engine(
        parsed,
        echo=echo,
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=10,
        # Which hub process holds a connection (pg_stat_activity), e.g. a lock or a
        # transaction left open, among several processes and hosts.
        connect_args={"application_name": f"repdesk-hub pid {os.getpid()}"},
    )
    if backend == "postgresql":
        _end_abandoned_transactions(engine)
    return engine


IDLE_IN_TRANSACTION_TIMEOUT = "10min"
"""A hub transaction idle that long (a stuck process) is ended by the server: while it is
open it holds every pull of this hub back (`writers_horizon`)."""


def _end_abandoned_transactions(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        with dbapi_connection.cursor() as cur:
            cur.execute(
                f"SET idle_in_transaction_session_timeout = '{IDLE_IN_TRANSACTION_TIMEOUT}'"
            )
        dbapi_connection.commit()


class Database:
    """The hub's engine plus session factories for reads and (serialised) writes."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.engine = make_engine(url, echo=echo)
        self.sqlite = self.engine.dialect.name == "sqlite"
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_engine = (
            make_engine(url, echo=echo, immediate=True, autocheckpoint=WRITER_AUTOCHECKPOINT_PAGES)
            if self.sqlite
            else None
        )
        file = make_url(url).database if self.sqlite else None
        self._checkpoints = (
            Checkpointer(file, SQLITE_BUSY_TIMEOUT_MS) if file and file != ":memory:" else None
        )
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
    def write(self, *, rep_id: str | None = None, sign_in: str | None = None) -> Iterator[Session]:
        """A writing transaction: commits on success, rolls back on error.

        Serialised with every other writer; given `rep_id` (a push), only with other
        writers for that rep and with the exclusive ones; given `sign_in` (an account's
        normalised email; a sign-in's attempts and token, no synced rows), only with
        other sign-ins of that account (module docstring). On SQLite every writer takes
        the file's one writer in turn."""
        if self.sqlite:
            with self._write_lock, self._write_sessions() as session, session.begin():
                yield session
            if self._checkpoints is not None:
                self._checkpoints.poke()  # the WAL's pages go home off this request's path
        else:
            with self._sessions() as session, session.begin():
                if sign_in is not None:
                    lock_sign_in(session, sign_in)
                elif rep_id is None:
                    lock_writers(session)
                else:
                    lock_rep_writer(session, rep_id)
                yield session

    def session(self) -> Session:
        """A plain session (caller manages the transaction; on SQLite prefer `write()`)."""
        return self._sessions()

    def dispose(self) -> None:
        if self._checkpoints is not None:
            self._checkpoints.close()
        self.engine.dispose()
        if self._write_engine is not None:
            self._write_engine.dispose()


__all__ = [
    "Database",
    "describe_database",
    "is_sqlite",
    "lock_rep_writer",
    "lock_sign_in",
    "writers_horizon",
    "lock_writers",
    "make_engine",
    "normalize_database_url",
    "sqlite_url",
]
