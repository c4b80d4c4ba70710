"""A damaged, empty or missing local database, found at start and recovered in the open.

`Store.open` makes two calls here:

- `before_open(data_dir, path)` (under the single-instance lock, before migrations): checks
  the file (`PRAGMA quick_check` through the store's own engine, `db.make_engine`): the
  rep's unsent work and session at every start, the whole file at the first start of a day
  and at the next start after SQLite met damage while running (`db.CHECK_NEEDED`). A
  healthy file returns None. A damaged one is moved aside, with its `-wal`/`-shm`, into
  `<data>/damaged-<UTC time>/` (kept, never deleted), and the unsent items are salvaged
  from it row by row (`store/salvage.py`, pure Python) and also written there as
  `unsent-items.json` (the `repdesk export-pending` format). An empty or missing file
  where this computer had a signed-in rep (`signed-in.json` beside the database, written
  at every sign-in) is reported the same way, never silently replaced.
- `after_open(data_dir, conn, found)` (in the first transaction of the new database): puts
  the salvaged unsent items and the rep's session back, so the next sync sends them and
  downloads everything else again (no cursor: a full pull), and refreshes `signed-in.json`.

The `Recovery` value is kept on the store (`Store.recovery`); the app and the CLI show its
`message()` to the rep.
"""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import Connection, select, update
from sqlalchemy.exc import DBAPIError

from repdesk.domain.errors import CacheKeyError
from repdesk.domain.outbox import MutationKind, OutboxState
from repdesk.store.atomic import write_atomically
from repdesk.store.cipher import CacheKey, FileState, file_state
from repdesk.store.cipher import connect as cipher_connect
from repdesk.store.db import CHECK_NEEDED, make_engine
from repdesk.store.models import OUTBOX, SYNC

if TYPE_CHECKING:
    from repdesk.store.salvage import PageFile, Value

# Reading pages in Python (`salvage`, `cipher_pages`) is imported only when a file is damaged
# or does not open: not on a healthy start (issue 9).

log = logging.getLogger(__name__)

MARKER_NAME = "signed-in.json"
CHECKED_NAME = "last-check.json"
SALVAGE_FILE = "unsent-items.json"
EXPORT_FORMAT = "repdesk-unsent-v1"
_SIDE_FILES = ("-wal", "-shm", "-journal")
_DAMAGE_CODES = (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)
_KINDS = {k.value for k in MutationKind}
_STATES = {s.value for s in OutboxState}
_UNSENT = {OutboxState.PENDING.value, OutboxState.REJECTED.value, OutboxState.CONFLICT.value}
_OUTBOX_COLUMNS = [c.name for c in OUTBOX.columns]
_SESSION_KEYS = ("hub_url", "rep_id", "rep_name", "rep_email", "hub_id", "client_id")


@dataclass(frozen=True)
class Recovery:
    """What was found at start and what was done about it (shown to the rep)."""

    problem: str
    """"damaged", "unreadable" (an encrypted file this computer's key does not open),
    "empty" or "missing"."""
    detail: str
    database: Path
    set_aside: Path | None
    items: list[dict[str, Any]] = field(default_factory=list)
    """The salvaged unsent outbox rows, column name → value."""
    damaged_pages: int = 0
    session: dict[str, str] = field(default_factory=dict)
    restored: int = 0

    def message(self) -> str:
        what = {
            "damaged": "repdesk found its local data damaged",
            "unreadable": (
                "repdesk could not read its local data with this computer's key (the key "
                "in the system keyring was replaced, or the file is damaged)"
            ),
            "empty": "repdesk found its local data file empty",
            "missing": "repdesk found its local data file missing",
        }[self.problem]
        lines = [f"{what} ({self.database}), so it started a fresh copy."]
        if self.set_aside is not None:
            lines.append(f"The old file is kept, untouched, in {self.set_aside}.")
        if self.problem == "damaged" and not self.items and not self.damaged_pages:
            lines.append("It held no unsent items: nothing you typed was lost.")
        elif self.problem == "damaged":
            lines.append(
                f"{len(self.items)} unsent item(s) could be read back and will be sent on the "
                f"next sync (also saved in {self.set_aside / SALVAGE_FILE})."
                if self.set_aside is not None
                else f"{len(self.items)} unsent item(s) could be read back."
            )
            if self.damaged_pages:
                lines.append(
                    "Part of the file could not be read: anything you typed since the last "
                    "successful sync may be missing; check it against your notes."
                )
        elif self.problem == "unreadable":
            lines.append(
                "Nothing was deleted: with the right key the kept file can still be read. "
                "Items you had not yet sent could not be read; anything typed since the last "
                "successful sync may be missing."
            )
        else:
            lines.append(
                "Items you had not yet sent could not be found; anything typed since the last "
                "successful sync may be missing."
            )
        lines.append(
            "Everything already sent is safe on the hub and downloads again on the next sync."
            if self.session
            else "Sign in again and sync to download your leads."
        )
        return " ".join(lines)


# --- the signed-in marker --------------------------------------------------------------


def read_marker(data_dir: Path) -> dict[str, str]:
    """Who was last signed in on this computer (no secrets), {} when nobody or unreadable."""
    try:
        data = json.loads((data_dir / MARKER_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or not data.get("hub_url") or not data.get("rep_id"):
        return {}
    return {k: str(data.get(k) or "") for k in _SESSION_KEYS}


def write_marker(data_dir: Path, facts: dict[str, str]) -> None:
    """Atomically (temp file, rename); a failure only loses the hint, so it is logged."""
    if read_marker(data_dir) == facts:
        return
    try:
        write_atomically(data_dir / MARKER_NAME, json.dumps(facts, indent=2).encode("utf-8"))
    except OSError as exc:
        log.warning("could not write %s: %s", MARKER_NAME, exc)


def _session_facts(conn: Connection) -> dict[str, str]:
    r = conn.execute(select(SYNC)).first()
    if r is None or not r.hub_url or not r.rep_id:
        return {}
    values = {
        "hub_url": r.hub_url,
        "rep_id": r.rep_id,
        "rep_name": r.rep_name,
        "rep_email": r.rep_email,
        "hub_id": r.hub_id,
        "client_id": r.client_id,
    }
    return {k: str(v or "") for k, v in values.items()}


# --- checking ---------------------------------------------------------------------------


def is_damage(exc: BaseException) -> bool:
    """SQLite said the file is not a database or is malformed (not busy, not permissions)."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    code = getattr(orig, "sqlite_errorcode", None)
    return isinstance(code, int) and (code & 0xFF) in _DAMAGE_CODES


CRITICAL_TABLES = ("sync_state", "outbox", "conflicts")
"""Checked at every start: the rep's unsent work and session (small tables, milliseconds)."""
FULL_CHECK_EVERY = timedelta(days=1)
"""The whole file is checked at the first start of a day (4.4 s at 100k leads / 1M events,
`benchmarks/bench_start_check.py`), and at the next start after SQLite met damage."""


def check(path: Path, *, full: bool = True, key: CacheKey | None = None) -> str | None:
    """None when the database answers `quick_check` with ok; else what is wrong, in words.

    `full=False` checks the schema and `CRITICAL_TABLES` only. Through the store's own
    engine, so whatever the store applies right after connecting applies here too;
    read-only, so SQLite neither writes the file nor, on closing, folds and deletes its
    `-wal` (it does that even to a file it calls "not a database"). Errors that are not
    damage (busy, permissions, disk) propagate, and so does `CacheKeyError` when `key`
    does not open an encrypted file (the caller tells a wrong key from damage). Never the
    stdlib `sqlite3` on the store file: the store's driver is SQLCipher's, and two SQLite
    libraries in one process do not see each other's locks.
    """
    engine = make_engine(path, key, read_only=True)
    try:
        with engine.connect() as conn:
            if full:
                pragmas = ["PRAGMA quick_check"]
            else:
                names = conn.exec_driver_sql("SELECT name FROM sqlite_schema WHERE type='table'")
                present = set(names.scalars())
                pragmas = [f"PRAGMA quick_check({t})" for t in CRITICAL_TABLES if t in present]
            result: list[str] = []
            for pragma in pragmas:
                result += [str(r) for r in conn.exec_driver_sql(pragma).scalars() if r != "ok"]
    except DBAPIError as exc:
        if is_damage(exc):
            return str(exc.orig)
        raise
    finally:
        engine.dispose()
    return "; ".join(result[:3]) or None


def _roll_back_cut_short(path: Path, key: CacheKey | None) -> None:
    """A transaction a crash cut short while the store wrote with a rollback journal (a
    load into an empty cache, `db.rollback_journal`) left a hot `-journal`: rolled back
    here, as SQLite does at the first read of a connection that may write. The read-only
    check cannot ("attempt to write a readonly database"), and without the rollback the
    file is half of a transaction. Whatever fails here is left to the check to report."""
    journal = Path(f"{path}-journal")
    try:
        if not journal.exists() or journal.stat().st_size == 0:
            return
        conn = cipher_connect(path, key)
        try:
            conn.execute("SELECT count(*) FROM sqlite_schema").fetchall()
        finally:
            conn.close()
    except (sqlcipher.Error, CacheKeyError, OSError) as exc:
        log.warning("could not roll back the journal of %s: %s", path, exc)


def _full_check_due(data_dir: Path) -> bool:
    """No full check for a day, or SQLite met damage since (`db.CHECK_NEEDED`)."""
    if (data_dir / CHECK_NEEDED).exists():
        return True
    try:
        data = json.loads((data_dir / CHECKED_NAME).read_text(encoding="utf-8"))
        at = datetime.fromisoformat(str(data["full_check_at"]))
    except (OSError, ValueError, KeyError, TypeError):
        return True
    now = datetime.now(UTC)
    return not (now - FULL_CHECK_EVERY < at <= now)  # a clock set back counts as due


def _checked(data_dir: Path) -> None:
    """A full check passed (or the file is new): note when; clear SQLite's damage flag."""
    try:
        stamp = {"full_check_at": datetime.now(UTC).isoformat()}
        (data_dir / CHECKED_NAME).write_text(json.dumps(stamp), encoding="utf-8")
        (data_dir / CHECK_NEEDED).unlink(missing_ok=True)
    except OSError as exc:
        log.warning("could not note the database check: %s", exc)


def _empty(path: Path) -> bool:
    """A zero-byte file with no committed WAL content (SQLite would see an empty database)."""
    if path.stat().st_size:
        return False
    wal = Path(f"{path}-wal")
    return not wal.exists() or wal.stat().st_size <= 32


# --- before and after opening ----------------------------------------------------------


def plain_pages(path: Path) -> bool:
    """The file's pages parse as a plain SQLite schema (a plain file whose header is
    damaged, which `file_state` cannot tell from an encrypted one)."""
    from repdesk.store.salvage import PageFile

    try:
        with PageFile(path) as pages:
            return bool(pages.tables())
    except (OSError, ValueError, IndexError):
        return False


def before_open(data_dir: Path, path: Path, key: CacheKey | None = None) -> Recovery | None:
    """Check the file; set a damaged or empty one aside with what could be salvaged.

    `key` (the store's cache key) reads an encrypted file; a plain one is read without it
    (`Store.open` converts it after the check). When the key does not open an encrypted
    file, SQLCipher cannot say whether the key is wrong or page 1 is damaged: a mistyped
    passphrase raises `CacheKeyError` (nothing moved, the rep is asked again); a key from
    the keyring that fails is reported as "unreadable" and the file is kept aside as it
    is (never deleted, still readable with the right key), for a fresh cache to start.
    """
    marker = read_marker(data_dir)
    if not path.exists():
        if not marker:
            return None  # a first start
        log.error("local database %s is missing; %s was signed in here", path, marker["rep_id"])
        return Recovery("missing", "no database file", path, None, session=marker)
    if _empty(path):
        if not marker:
            return None  # created but never written: nothing to lose
        log.error("local database %s is empty; %s was signed in here", path, marker["rep_id"])
        return Recovery("empty", "zero bytes", path, _set_aside(path), session=marker)
    # Without a key (tests and tools; the app always has one) a file SQLite cannot read is
    # damage, as for any plain cache: ciphertext cannot be told from garbage.
    encrypted = file_state(path) is FileState.ENCRYPTED
    full = _full_check_due(data_dir)
    read_key = key if key is not None and encrypted else None
    _roll_back_cut_short(path, read_key)
    kind = "damaged"
    try:
        problem = check(path, full=full, key=read_key)
    except CacheKeyError as exc:
        from repdesk.store import cipher_pages

        assert read_key is not None
        image = cipher_pages.decrypt(path, read_key)
        if plain_pages(path):
            problem, read_key = "the file header is damaged", None
        elif image is not None and cipher_pages.key_fits(image):
            # The key decrypts the other pages: it is the file's, and page 1 is damaged.
            problem = "the first page does not decrypt (damaged)"
        elif read_key.is_passphrase:
            raise  # most likely a typo: ask again, nothing moved
        else:
            kind, problem = "unreadable", str(exc)
    if problem is None:
        if full:
            _checked(data_dir)
        return None
    log.error("local database %s is %s: %s", path, kind, problem)
    items, session, damaged = salvage(path, read_key if kind == "damaged" else None)
    if kind == "unreadable" and (items or session):
        kind = "damaged"  # its pages were plain after all
    aside = _set_aside(path)
    _write_items(aside / SALVAGE_FILE, items, marker or session)
    _checked(data_dir)  # the next file is new
    return Recovery(
        kind,
        problem,
        path,
        aside,
        items=items,
        damaged_pages=damaged,
        session=marker or session,
    )


def after_open(data_dir: Path, conn: Connection, found: Recovery | None) -> Recovery | None:
    """Put the salvaged items and the session into the new database; keep the marker."""
    if found is not None:
        _restore(conn, found)
    remember(data_dir, conn)
    if found is None:
        return None
    return Recovery(
        found.problem,
        found.detail,
        found.database,
        found.set_aside,
        items=found.items,
        damaged_pages=found.damaged_pages,
        session=found.session,
        restored=len(found.items),
    )


def remember(data_dir: Path, conn: Connection) -> None:
    """Note who is signed in (after a sign-in and at every open), for `before_open` to know
    next time; after a sign-out nobody is, so an empty database is then a fresh start."""
    facts = _session_facts(conn)
    if facts:
        write_marker(data_dir, facts)
        return
    try:
        (data_dir / MARKER_NAME).unlink(missing_ok=True)
    except OSError as exc:
        log.warning("could not remove %s: %s", MARKER_NAME, exc)


def _restore(conn: Connection, found: Recovery) -> None:
    session = found.session
    if session:
        values: dict[str, Any] = {
            "hub_url": session["hub_url"],
            "rep_id": session["rep_id"],
            "rep_name": session["rep_name"],
            "rep_email": session["rep_email"],
            "hub_id": session["hub_id"],
            "last_hub_url": session["hub_url"],
            "last_rep_id": session["rep_id"],
            "last_hub_id": session["hub_id"],
            "last_rep_email": session["rep_email"],
            "full_resync_needed": True,
        }
        if session.get("client_id"):
            values["client_id"] = session["client_id"]
        conn.execute(update(SYNC).values(values))
    if found.items:
        columns = ", ".join(_OUTBOX_COLUMNS)
        marks = ", ".join("?" for _ in _OUTBOX_COLUMNS)
        conn.exec_driver_sql(
            f"INSERT OR IGNORE INTO outbox ({columns}) VALUES ({marks})",  # noqa: S608
            [tuple(_stored(item, c) for c in _OUTBOX_COLUMNS) for item in found.items],
        )


def _stored(item: dict[str, Any], column: str) -> Any:
    value = item.get(column)
    if column == "payload":
        return json.dumps(value)
    if column == "state" and value == OutboxState.CONFLICT.value:
        # The conflict records were in the damaged file: sent again, the hub says anew.
        return OutboxState.PENDING.value
    return value


def _set_aside(path: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    folder = path.parent / f"damaged-{stamp}"
    n = 1
    while folder.exists():
        n += 1
        folder = path.parent / f"damaged-{stamp}-{n}"
    folder.mkdir()
    for suffix in ("", *_SIDE_FILES):
        source = Path(f"{path}{suffix}")
        if source.exists():
            shutil.move(source, folder / source.name)
    log.warning("kept the damaged database in %s", folder)
    return folder


# --- salvage ---------------------------------------------------------------------------


def _outbox_shape(values: tuple[Value, ...]) -> bool:
    if len(values) < len(_OUTBOX_COLUMNS):
        return False
    row = dict(zip(_OUTBOX_COLUMNS, values, strict=False))
    if not (isinstance(row["id"], str) and isinstance(row["seq"], int)):
        return False
    if row["kind"] not in _KINDS or row["state"] not in _STATES:
        return False
    if not isinstance(row["recorded_at"], str) or not isinstance(row["payload"], str):
        return False
    try:
        return isinstance(json.loads(row["payload"]), dict)
    except ValueError:
        return False


def salvage(
    path: Path, key: CacheKey | None = None
) -> tuple[list[dict[str, Any]], dict[str, str], int]:
    """(unsent outbox rows, session facts, damaged page count) read from a damaged file.

    A plain file: its pages, in pure Python (`store/salvage.py`). An encrypted one (`key`):
    its pages are ciphertext, so rows are read through a keyed read-only connection, in
    rowid ranges halved around whatever SQLCipher refuses (`_salvage_keyed`).
    """
    if key is not None and file_state(path) is FileState.ENCRYPTED:
        return _salvage_encrypted(path, key)
    from repdesk.store.salvage import PageFile

    with PageFile(path) as pages:
        return _salvage_pages(pages, path)


def _salvage_encrypted(
    path: Path, key: CacheKey
) -> tuple[list[dict[str, Any]], dict[str, str], int]:
    """Rows through a keyed read-only connection (which also sees the `-wal`); where it
    met damage, or cannot open the file at all (page 1 damaged), also the pages decrypted
    in memory (`store/cipher_pages.py`), walked like a plain file's: orphan leaves under a
    damaged interior page are found. A row read through SQL wins over a page's copy."""
    try:
        items, session, damaged = _salvage_keyed(path, key)
        opened = True
    except CacheKeyError:
        items, session, damaged, opened = [], {}, 1, False
    if opened and not damaged:
        return items, session, damaged
    from repdesk.store import cipher_pages
    from repdesk.store.salvage import PageFile

    image = cipher_pages.decrypt(path, key)
    if image is None or not cipher_pages.key_fits(image):
        return items, session, damaged
    with PageFile(path, image) as pages:
        page_items, page_session, page_damaged = _salvage_pages(pages, path)
    seen = {str(i["id"]) for i in items}
    merged = items + [i for i in page_items if str(i["id"]) not in seen]
    merged.sort(key=lambda r: int(r["seq"]))
    return merged, session or page_session, page_damaged


def _salvage_pages(pages: PageFile, path: Path) -> tuple[list[dict[str, Any]], dict[str, str], int]:
    from repdesk.store.salvage import table_columns

    tables = pages.tables()
    if "outbox" in tables:
        try:
            order = table_columns(tables["outbox"][1])
        except sqlite3.Error:
            order = _OUTBOX_COLUMNS
        if order != _OUTBOX_COLUMNS:
            log.warning("outbox columns differ from this version's: %s", order)
    read = pages.read_table("outbox", _outbox_shape)
    best: dict[str, dict[str, Any]] = {}
    for _rowid, values in read.rows:
        row = dict(zip(_OUTBOX_COLUMNS, values, strict=False))
        row["payload"] = json.loads(str(row["payload"]))
        seen = best.get(str(row["id"]))
        # A row on the live tree wins; among orphans the furthest along (a copy of a page
        # from before the hub answered must not send an applied item again).
        if seen is None or (
            seen["state"] == OutboxState.PENDING.value and row["state"] != seen["state"]
        ):
            best[str(row["id"])] = row
    items = sorted((r for r in best.values() if r["state"] in _UNSENT), key=lambda r: int(r["seq"]))
    session: dict[str, str] = {}
    if "sync_state" in tables:
        sync_cols = table_columns(tables["sync_state"][1])
        url = sync_cols.index("hub_url")

        def shape(values: tuple[Value, ...]) -> bool:
            return len(values) == len(sync_cols) and str(values[url]).startswith("http")

        for _rowid, values in pages.read_table("sync_state", shape).rows[:1]:
            row = dict(zip(sync_cols, values, strict=False))
            if row.get("hub_url") and row.get("rep_id"):
                session = {k: str(row.get(k) or "") for k in _SESSION_KEYS}
    log.info(
        "salvaged %d unsent item(s) from %s (%d damaged page(s), orphan scan %s)",
        len(items),
        path,
        read.damaged_pages,
        read.scanned,
    )
    return items, session, read.damaged_pages


_MAX_QUERIES = 200_000
"""Bounds the halving of rowid ranges in an encrypted file (a damaged tree can make every
row of a range unreachable one by one)."""
_ROWID_GUESS = 1 << 16
"""The last rowid tried when even `max(rowid)` cannot be read."""


def _bound(conn: sqlcipher.Connection, sql: str, default: int | None) -> int | None:
    try:
        value = conn.execute(sql).fetchone()[0]
    except sqlcipher.DatabaseError:
        return default
    return None if value is None else int(value)


def read_rows_keyed(
    conn: sqlcipher.Connection, table: str, columns: list[str]
) -> tuple[list[tuple[Value, ...]], int]:
    """(readable rows, unreadable stretches) of `table`, by rowid range through SQL: a range
    SQLCipher refuses (a page whose HMAC fails, a malformed page) is halved until single
    rows; each run of unreadable rowids counts as one damaged stretch."""
    lo = _bound(conn, f'SELECT min(rowid) FROM "{table}"', 1)  # noqa: S608
    hi = _bound(conn, f'SELECT max(rowid) FROM "{table}"', (lo or 1) + _ROWID_GUESS)  # noqa: S608
    if lo is None or hi is None:
        return [], 0
    names = ", ".join(f'"{c}"' for c in columns)
    sql = f'SELECT {names} FROM "{table}" WHERE rowid BETWEEN ? AND ? ORDER BY rowid'  # noqa: S608
    rows: list[tuple[Value, ...]] = []
    bad: list[int] = []
    stack = [(lo, hi)]
    queries = 0
    while stack and queries < _MAX_QUERIES:
        a, b = stack.pop()
        queries += 1
        try:
            rows.extend(tuple(r) for r in conn.execute(sql, (a, b)).fetchall())
        except sqlcipher.DatabaseError:
            if a == b:
                bad.append(a)
            else:
                middle = (a + b) // 2
                stack += [(middle + 1, b), (a, middle)]
    if stack:
        log.warning("gave up reading %s after %d queries", table, queries)
    stretches = sum(1 for i, r in enumerate(bad) if i == 0 or bad[i - 1] != r - 1)
    return rows, stretches + (1 if stack else 0)


def _salvage_keyed(path: Path, key: CacheKey) -> tuple[list[dict[str, Any]], dict[str, str], int]:
    conn = cipher_connect(path, key, read_only=True)
    try:
        values, damaged = read_rows_keyed(conn, "outbox", _OUTBOX_COLUMNS)
        best: dict[str, dict[str, Any]] = {}
        for row_values in values:
            if not _outbox_shape(row_values):
                continue
            row = dict(zip(_OUTBOX_COLUMNS, row_values, strict=False))
            row["payload"] = json.loads(str(row["payload"]))
            best[str(row["id"])] = row
        items = sorted(
            (r for r in best.values() if r["state"] in _UNSENT), key=lambda r: int(r["seq"])
        )
        session: dict[str, str] = {}
        sync_rows, _ = read_rows_keyed(conn, "sync_state", list(_SESSION_KEYS))
        for sync_values in sync_rows[:1]:
            row = dict(zip(_SESSION_KEYS, sync_values, strict=True))
            if row.get("hub_url") and row.get("rep_id"):
                session = {k: str(row.get(k) or "") for k in _SESSION_KEYS}
    finally:
        conn.close()
    log.info(
        "salvaged %d unsent item(s) from the encrypted %s (%d unreadable stretch(es))",
        len(items),
        path,
        damaged,
    )
    return items, session, damaged


def _write_items(target: Path, items: list[dict[str, Any]], session: dict[str, str]) -> None:
    """The salvaged items in `repdesk export-pending`'s format; a failure is logged only
    (the items also go into the new database)."""
    document = {
        "format": EXPORT_FORMAT,
        "exported_at": datetime.now(UTC).isoformat(),
        "client_id": session.get("client_id"),
        "hub_url": session.get("hub_url"),
        "rep_email": session.get("rep_email"),
        "count": len(items),
        "items": items,
    }
    try:
        target.write_text(json.dumps(document, indent=2, ensure_ascii=False), encoding="utf-8")
    except OSError as exc:
        log.error("could not write the salvaged items to %s: %s", target, exc)


__all__ = [
    "MARKER_NAME",
    "SALVAGE_FILE",
    "Recovery",
    "after_open",
    "before_open",
    "check",
    "is_damage",
    "read_marker",
    "remember",
    "plain_pages",
    "read_rows_keyed",
    "salvage",
]
