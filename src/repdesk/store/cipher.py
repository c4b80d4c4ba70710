"""The local cache encrypted at rest (SQLCipher 4 through `sqlcipher3`): keying, checks, conversion.

`prepare(path, key)` is the one hook `Store.open` calls before it makes its engine: a plain
cache is converted (`sqlcipher_export` into a new file, verified, swapped in atomically,
its -wal/-shm removed), an encrypted one is checked against the key. Every connection the
store makes then runs `apply_key` first (`store/db.py`).

A key from the OS keyring is a raw 256-bit key (`x'…'`), which skips SQLCipher's KDF; a
passphrase typed by the rep goes through SQLCipher's own PBKDF2 (slow on purpose). Where
the key comes from is not this module's business (`repdesk.sync.cache_key`).
"""

from __future__ import annotations

import enum
import logging
import os
import secrets
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlcipher3.dbapi2 as sqlcipher

from repdesk.domain.errors import StoreError, WrongCacheKeyError

log = logging.getLogger(__name__)

KEY_BYTES = 32
SQLITE_HEADER = b"SQLite format 3\x00"
CONVERTING_SUFFIX = ".encrypting"
"""The new encrypted file while a plain cache is converted (removed if a conversion died)."""
SIDE_FILES = ("-wal", "-shm", "-journal")


@dataclass(frozen=True, slots=True)
class CacheKey:
    """A raw 256-bit key (from the keyring) or a passphrase (typed by the rep). Never logged."""

    secret: str = field(repr=False)
    is_passphrase: bool = False

    @classmethod
    def raw(cls, key: bytes) -> CacheKey:
        if len(key) != KEY_BYTES:
            raise ValueError(f"a cache key is {KEY_BYTES} bytes, not {len(key)}")
        return cls(key.hex())

    @classmethod
    def from_hex(cls, text: str) -> CacheKey:
        return cls.raw(bytes.fromhex(text.strip()))

    @classmethod
    def passphrase(cls, text: str) -> CacheKey:
        if not text:
            raise ValueError("an empty passphrase protects nothing")
        return cls(text, is_passphrase=True)

    @classmethod
    def generate(cls) -> CacheKey:
        return cls.raw(secrets.token_bytes(KEY_BYTES))

    def pragma_literal(self) -> str:
        """The value of `PRAGMA key = …` (PRAGMA takes no bound parameters)."""
        if self.is_passphrase:
            return "'" + self.secret.replace("'", "''") + "'"
        return f"\"x'{self.secret}'\""


class FileState(enum.Enum):
    ABSENT = "absent"  # no file, or an empty one (SQLite makes a new database there)
    PLAIN = "plain"
    ENCRYPTED = "encrypted"  # or unreadable: SQLCipher files have no recognisable header


def file_state(path: Path) -> FileState:
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return FileState.ABSENT
    if not head:
        return FileState.ABSENT
    return FileState.PLAIN if head == SQLITE_HEADER else FileState.ENCRYPTED


def _wrong_key(path: Path, key: CacheKey) -> WrongCacheKeyError:
    what = "passphrase" if key.is_passphrase else "key kept in this computer's keyring"
    return WrongCacheKeyError(
        f"Your local data ({path}) could not be unlocked with the {what}. "
        "Nothing was changed or deleted: try again (passphrases are case-sensitive).",
        passphrase=key.is_passphrase,
    )


def apply_key(dbapi_conn: Any, key: CacheKey | None, path: Path) -> None:
    """First thing on every connection: key it, and prove the key by reading the schema."""
    if key is None:
        return
    cur = dbapi_conn.cursor()
    try:
        # A wrong key is reported once, in words (CacheKeyError), not as SQLCipher's own
        # "hmac check failed" lines on stderr.
        cur.execute("PRAGMA cipher_log_level = NONE").fetchall()
        cur.execute(f"PRAGMA key = {key.pragma_literal()}")
        cur.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher.DatabaseError as exc:
        # Only "not a database" (or "malformed") means the key does not open the file;
        # a disk I/O error, a full disk or a busy file is what it is (`db.map_error`),
        # never taken for a wrong key (which recovery would set the file aside for).
        code = getattr(exc, "sqlite_errorcode", None)
        unreadable = (sqlcipher.SQLITE_NOTADB, sqlcipher.SQLITE_CORRUPT)
        if isinstance(code, int) and code & 0xFF not in unreadable:
            raise
        raise _wrong_key(path, key) from exc
    finally:
        cur.close()


def connect(path: Path, key: CacheKey | None, *, read_only: bool = False) -> sqlcipher.Connection:
    """A bare connection (autocommit), keyed and checked. For conversion, copies and
    salvage (`read_only`: the file is opened `mode=ro`, never written)."""
    target = f"file:{urllib.parse.quote(str(path))}?mode=ro" if read_only else str(path)
    conn = sqlcipher.connect(target, uri=read_only, isolation_level=None, check_same_thread=False)
    try:
        apply_key(conn, key, path)
    except BaseException:
        conn.close()
        raise
    return conn


def _remove_side_files(path: Path) -> None:
    for suffix in SIDE_FILES:
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _fsync_dir(folder: Path) -> None:
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _table_counts(conn: sqlcipher.Connection, schema: str = "main") -> dict[str, int]:
    names = [
        r[0]
        for r in conn.execute(
            f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table' AND rootpage > 0 "
            "ORDER BY name"
        )
    ]
    return {
        n: int(conn.execute(f'SELECT count(*) FROM {schema}."{n}"').fetchone()[0]) for n in names
    }


def _export(source: sqlcipher.Connection, target: Path, key: CacheKey) -> None:
    source.execute(f"ATTACH DATABASE ? AS encrypted KEY {key.pragma_literal()}", (str(target),))
    try:
        source.execute("SELECT sqlcipher_export('encrypted')").fetchall()
        version = int(source.execute("PRAGMA main.user_version").fetchone()[0])
        source.execute(f"PRAGMA encrypted.user_version = {version}")
    finally:
        source.execute("DETACH DATABASE encrypted")


def _verify(target: Path, key: CacheKey, expected: dict[str, int]) -> None:
    check = connect(target, key)
    try:
        result = [r[0] for r in check.execute("PRAGMA integrity_check")]
        counts = _table_counts(check)
    finally:
        check.close()
    if result != ["ok"] or counts != expected:
        raise StoreError(
            "repdesk could not encrypt your local data: the encrypted copy did not match "
            "(nothing was changed; your data is as it was). Free some disk space and restart."
        )


def encrypt_plain(path: Path, key: CacheKey) -> None:
    """Convert a plain cache to an encrypted one, keeping every row (unsent work included).

    Order matters for a crash at any point: the plain file is made whole (WAL checkpointed
    and emptied) before its side files go; the new file is complete, verified and fsynced
    before it replaces the plain one by rename. Either the plain file or the encrypted one
    is the database; a half-made `.encrypting` file is removed at the next start.
    """
    tmp = Path(f"{path}{CONVERTING_SUFFIX}")
    tmp.unlink(missing_ok=True)
    _remove_side_files(tmp)
    log.warning(
        "encrypting the local cache %s (%.0f MB) once; a large one takes a few minutes",
        path,
        path.stat().st_size / 1e6,
    )
    source = connect(path, None)
    try:
        busy = source.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy is not None and busy[0]:
            raise StoreError(
                "repdesk could not encrypt your local data because another program holds it "
                "open. Close it and restart repdesk; nothing was changed."
            )
        expected = _table_counts(source)
        _export(source, tmp, key)
        source.execute("PRAGMA journal_mode = DELETE").fetchall()
    except sqlcipher.Error as exc:
        tmp.unlink(missing_ok=True)
        raise StoreError(
            f"repdesk could not encrypt your local data ({path}): {exc}. "
            "Nothing was changed; free some disk space and restart."
        ) from exc
    finally:
        source.close()
    try:
        _verify(tmp, key, expected)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        # The plain file is whole (checkpointed, back in rollback mode): its side files
        # hold nothing, and a stale plain WAL must never meet the encrypted file.
        _remove_side_files(path)
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        _remove_side_files(tmp)
    log.info("converted the local cache %s to an encrypted one", path)


def prepare(path: Path, key: CacheKey | None) -> None:
    """Make `path` ready to be opened with `key`: the single hook of `Store.open`.

    No key: nothing to do (tests and tools open plain caches). A key: a
    plain cache is converted, an encrypted one must open with it (`CacheKeyError`, nothing
    touched, when it does not).
    """
    leftover = Path(f"{path}{CONVERTING_SUFFIX}")
    if leftover.exists():
        log.warning("removing %s left by an interrupted conversion", leftover)
        leftover.unlink()
        _remove_side_files(leftover)
    state = file_state(path)
    if key is None:
        return  # an encrypted (or damaged) file then fails to open as any other bad file
    if state is FileState.PLAIN:
        encrypt_plain(path, key)
    # An encrypted file is checked by the store's own connection (`apply_key`), so a
    # passphrase pays SQLCipher's KDF once per start, not twice.


def copy_database(source: Path, target: Path, key: CacheKey | None) -> None:
    """Copy a (possibly encrypted) cache with SQLite's backup API, same key on both sides."""
    src = connect(source, key)
    try:
        dst = connect(target, key)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


__all__ = [
    "KEY_BYTES",
    "CacheKey",
    "FileState",
    "apply_key",
    "connect",
    "copy_database",
    "encrypt_plain",
    "file_state",
    "prepare",
]
