"""SQLite hub: WAL checkpoints on a thread of their own, off the request path.

SQLite's automatic checkpoint runs inside the COMMIT of whichever writer pushes the WAL
past 1,000 pages, so one push in every few paid for copying everyone's pages back into
the database file (~19% of a push's time, measured). The hub's own writing connections
set `wal_autocheckpoint` to `WRITER_AUTOCHECKPOINT_PAGES` instead, and after each commit
`Database.write` wakes this thread, which runs a PASSIVE checkpoint (it takes no writer
lock: the next push writes while it copies) on a connection of its own.

- The WAL cannot grow without bound: if this thread falls behind or is gone, the writer's
  own automatic checkpoint still runs at `WRITER_AUTOCHECKPOINT_PAGES`, as SQLite's
  default would at 1,000 (a reader holding an old snapshot stops a checkpoint either way).
- Nothing committed depends on it: a commit is in the WAL before `Database.write`
  returns, and a process killed mid-checkpoint leaves a WAL SQLite replays on the next
  open.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading

log = logging.getLogger(__name__)

WRITER_AUTOCHECKPOINT_PAGES = 10_000
"""The writers' own automatic checkpoint (~40 MB of WAL at 4 KiB pages): only when this
thread cannot keep up."""


class Checkpointer:
    """One thread per hub process and file; `poke()` after a commit, `close()` at the end."""

    def __init__(self, path: str, busy_timeout_ms: int) -> None:
        self._path = path
        self._busy_timeout_ms = busy_timeout_ms
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._closed = False
        self._pending = False

    def poke(self) -> None:
        """A commit happened: checkpoint soon (pokes while one runs make one more)."""
        if self._closed:
            return
        if self._thread is None or self._pid != os.getpid():  # none yet, or a forked child
            with self._lock:
                if self._thread is None or self._pid != os.getpid():
                    self._pid = os.getpid()
                    self._wake = threading.Event()
                    self._thread = threading.Thread(
                        target=self._run,
                        args=(self._wake,),
                        name="repdesk-hub-checkpoint",
                        daemon=True,
                    )
                    self._thread.start()
        self._pending = True
        self._wake.set()

    def close(self) -> None:
        """Stop the thread once it has run the checkpoint a poke asked for."""
        self._closed = True
        thread = self._thread
        self._wake.set()
        if thread is not None and self._pid == os.getpid():
            thread.join(timeout=30)

    def _run(self, wake: threading.Event) -> None:
        try:
            conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error:
            log.warning("WAL checkpoints stay with the writers: %s cannot be opened", self._path)
            return
        try:
            conn.execute(f"PRAGMA busy_timeout={self._busy_timeout_ms}")
            while True:
                wake.wait()
                wake.clear()
                if self._pending:
                    self._pending = False
                    try:
                        checkpoint(conn)
                    except sqlite3.Error as exc:  # e.g. a full disk: the writers' own remains
                        log.warning("WAL checkpoint failed (%s); tried again after a write", exc)
                if self._closed:
                    return
        finally:
            conn.close()


def checkpoint(conn: sqlite3.Connection) -> None:
    """Copy the WAL's committed pages into the database file, beside the writers."""
    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()


__all__ = ["WRITER_AUTOCHECKPOINT_PAGES", "Checkpointer", "checkpoint"]
