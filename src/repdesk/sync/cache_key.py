"""The key of the encrypted local cache: made per installation, kept in the OS keyring.

One random 256-bit key per data folder, stored (hex) in the OS keyring beside the hub
token (`sync/credentials.py`, same rules: no `fail`/`null`/`keyrings.alt` backend). With
no usable keyring the rep types a passphrase at every start (SQLCipher derives the key);
no key or passphrase is ever written to a file.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import Callable
from pathlib import Path

import keyring
from keyring.backend import KeyringBackend
from keyring.errors import KeyringError, PasswordDeleteError

from repdesk.domain.errors import CacheKeyError
from repdesk.store.atomic import write_atomically
from repdesk.store.cipher import CacheKey, FileState, file_state
from repdesk.store.db import DB_NAME
from repdesk.store.recovery import plain_pages
from repdesk.sync.credentials import SERVICE, usable_backend

log = logging.getLogger(__name__)

MIN_PASSPHRASE = 8

AskPassphrase = Callable[[bool], str | None]
"""Asks the rep for the passphrase (`True`: choosing a new one); None when they cancel."""

NO_PASSPHRASE = (
    "repdesk keeps your local data encrypted. With no system keyring to hold its key, it "
    "needs your passphrase to start; none was given, so nothing was opened."
)


ID_FILE = "cache-key.id"
"""Names the data folder's key in the keyring (not a secret): the folder can be moved."""


def _read_id(data_dir: Path) -> str | None:
    try:
        text = (Path(data_dir) / ID_FILE).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return text if len(text) == 32 and all(c in "0123456789abcdef" for c in text) else None


def _make_id(data_dir: Path) -> str | None:
    """The folder's id, made (atomically) if it has none; None when it cannot be written."""
    if found := _read_id(data_dir):
        return found
    made = secrets.token_hex(16)
    target = Path(data_dir) / ID_FILE
    try:
        write_atomically(target, (made + "\n").encode("ascii"))
    except OSError as exc:
        log.warning("could not write %s (%s): the key is named by the folder's path", target, exc)
        return None
    return made


def legacy_keyring_username(data_dir: Path) -> str:
    """How releases before the id file named the entry: by the folder's path."""
    return f"local cache {Path(data_dir).absolute()}"


def keyring_username(data_dir: Path) -> str:
    """The keyring entry for one data folder (one installation): named by the id in the
    folder's `cache-key.id`, so a moved or renamed folder keeps its key; by its path
    while it has no id (a folder from an earlier release, or one that cannot be written)."""
    found = _read_id(data_dir)
    return f"local cache {found}" if found else legacy_keyring_username(data_dir)


def check_new_passphrase(text: str) -> str:
    """'' when `text` may protect the cache, else what to tell the rep."""
    if len(text) < MIN_PASSPHRASE:
        return f"Choose a passphrase of at least {MIN_PASSPHRASE} characters."
    return ""


class CacheKeys:
    """Loads or makes the cache key of a data folder in the OS keyring."""

    def __init__(self, backend: KeyringBackend | None = None) -> None:
        self._backend = backend

    @property
    def backend(self) -> KeyringBackend:
        return self._backend if self._backend is not None else keyring.get_keyring()

    @property
    def persistent(self) -> bool:
        return usable_backend(self.backend)

    def load(self, data_dir: Path) -> CacheKey | None:
        backend = self.backend
        if not usable_backend(backend):
            return None
        if _read_id(data_dir) is None:
            return self._adopt_legacy(data_dir)
        return self._read(keyring_username(data_dir))

    def _read(self, username: str) -> CacheKey | None:
        """The key kept under `username`, or None (none, unreadable, or not a key)."""
        try:
            stored = self.backend.get_password(SERVICE, username)
        except KeyringError as exc:
            log.warning("could not read the cache key from the system keyring: %s", exc)
            return None
        if not stored:
            return None
        try:
            return CacheKey.from_hex(stored)
        except ValueError:
            log.warning("the keyring's cache key entry is not a key; ignoring it")
            return None

    def _adopt_legacy(self, data_dir: Path) -> CacheKey | None:
        """A key an earlier release kept under the folder's path, moved under its id."""
        legacy = legacy_keyring_username(data_dir)
        key = self._read(legacy)
        if key is None:
            return None
        if _make_id(data_dir) is None:
            return key
        try:
            self.backend.set_password(SERVICE, keyring_username(data_dir), key.secret)
            if self.backend.get_password(SERVICE, keyring_username(data_dir)) == key.secret:
                self.backend.delete_password(SERVICE, legacy)
        except KeyringError as exc:  # the old entry stays: it still opens the cache here
            log.warning("could not rename the cache key's keyring entry: %s", exc)
            with contextlib.suppress(OSError):
                (Path(data_dir) / ID_FILE).unlink()
        return key

    def create(self, data_dir: Path) -> CacheKey | None:
        """A new random key saved in the keyring and read back; None when it cannot be kept."""
        backend = self.backend
        if not usable_backend(backend):
            return None
        key = CacheKey.generate()
        _make_id(data_dir)
        try:
            backend.set_password(SERVICE, keyring_username(data_dir), key.secret)
        except KeyringError as exc:
            log.warning("the system keyring refused the cache key (%s)", exc)
            return None
        if self.load(data_dir) != key:
            log.warning("the system keyring did not keep the cache key")
            return None
        return key

    def delete(self, data_dir: Path) -> None:
        backend = self.backend
        if not usable_backend(backend):
            return
        for name in {keyring_username(data_dir), legacy_keyring_username(data_dir)}:
            try:
                backend.delete_password(SERVICE, name)
            except PasswordDeleteError:
                pass
            except KeyringError as exc:
                log.warning("could not remove the cache key from the system keyring: %s", exc)


def cache_key(data_dir: Path, ask: AskPassphrase, keys: CacheKeys | None = None) -> CacheKey:
    """The key to open `data_dir`'s cache with: the keyring's, a new one, or a passphrase.

    A cache already encrypted without a key in this keyring (a passphrase, or a keyring that
    was reset) is opened with the passphrase the rep types; a wrong one is refused by the
    store (`CacheKeyError`), never overwritten.
    """
    keys = keys or CacheKeys()
    data_dir = Path(data_dir)
    stored = keys.load(data_dir)
    if stored is not None:
        return stored
    state = file_state(data_dir / DB_NAME)
    if state is FileState.ENCRYPTED and plain_pages(data_dir / DB_NAME):
        state = FileState.PLAIN  # a plain cache whose header is damaged: recovered at open
    if state is not FileState.ENCRYPTED:
        made = keys.create(data_dir)
        if made is not None:
            return made
    choosing = state is not FileState.ENCRYPTED
    text = ask(choosing)
    if not text:
        raise CacheKeyError(NO_PASSPHRASE)
    if choosing and (problem := check_new_passphrase(text)):
        raise CacheKeyError(problem)
    return CacheKey.passphrase(text)


__all__ = [
    "MIN_PASSPHRASE",
    "NO_PASSPHRASE",
    "AskPassphrase",
    "CacheKeys",
    "cache_key",
    "check_new_passphrase",
    "ID_FILE",
    "keyring_username",
    "legacy_keyring_username",
]
