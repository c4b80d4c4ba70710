"""Builds the core services (store, settings, sync engine) for the app and the CLI."""

from __future__ import annotations

import getpass
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from repdesk.domain.errors import CacheKeyError, WrongCacheKeyError
from repdesk.store import Store
from repdesk.store.api import StoreApi
from repdesk.store.call_drafts import drafts_dir, seal_plain_drafts
from repdesk.store.cipher import FileState, copy_database, file_state
from repdesk.store.db import DB_NAME, mapped_errors
from repdesk.store.paths import AppPaths
from repdesk.store.settings import (
    COLLATERAL_CACHE_MB,
    HUB_CA_FILE,
    SETTINGS_FILE_NAME,
    Settings,
)
from repdesk.sync.cache_key import AskPassphrase, CacheKeys, cache_key
from repdesk.sync.engine import SyncEngine, make_engine

log = logging.getLogger(__name__)


def load_settings(paths: AppPaths) -> Settings:
    return Settings.load(paths.config / SETTINGS_FILE_NAME)


def ask_passphrase_in_terminal(choosing: bool) -> str | None:
    """The CLI's passphrase prompt (getpass: nothing echoed); a new one is typed twice.
    None when there is nobody to type it (end of input)."""
    try:
        return _ask_in_terminal(choosing)
    except EOFError:
        return None


def _ask_in_terminal(choosing: bool) -> str | None:
    if choosing:
        print(
            "No system keyring holds the key of your local data, so repdesk encrypts it with "
            "a passphrase. You will type it each time repdesk starts.",
            file=sys.stderr,
        )
        first = getpass.getpass("Choose a passphrase: ")
        if first and getpass.getpass("Type it again: ") != first:
            print("repdesk: the two passphrases differ.", file=sys.stderr)
            return None
        return first
    return getpass.getpass("Passphrase of your local repdesk data: ")


def open_store(
    data_dir: str | Path | None, ask: AskPassphrase = ask_passphrase_in_terminal
) -> Store:
    """The rep's local store, encrypted at rest with the key of this installation (from the
    OS keyring, or a passphrase `ask` gets from the rep); a plain cache is converted.
    Refuses (AlreadyRunningError) if another repdesk holds it. In a terminal, a wrong
    passphrase is asked for again (as `sudo` does); piped input gets one try."""
    paths = AppPaths.resolve(data_dir).ensure()
    again = ask is ask_passphrase_in_terminal and sys.stdin is not None and sys.stdin.isatty()
    return open_rep_store(paths.data, ask, refused=_refused_in_terminal if again else None)


def _refused_in_terminal(_message: str) -> None:
    print("That passphrase does not unlock your local data; try again.", file=sys.stderr)


PASSPHRASE_ATTEMPTS = 3
"""Tries a rep gets at the passphrase in one start (when the caller can ask again)."""


def open_rep_store(
    data: Path,
    ask: AskPassphrase,
    *,
    refused: Callable[[str], None] | None = None,
    keys: CacheKeys | None = None,
) -> Store:
    """`Store.open` of the data folder `data` with its cache key (see `open_store`).

    With `refused`, a wrong passphrase is reported through it and asked for again, up to
    `PASSPHRASE_ATTEMPTS` tries; a rep who then gives none gets the wrong-passphrase error.
    Nothing is changed by a wrong passphrase.
    """
    attempts = PASSPHRASE_ATTEMPTS if refused is not None else 1
    wrong: WrongCacheKeyError | None = None
    for attempt in range(1, attempts + 1):
        try:
            key = cache_key(data, ask, keys)
        except CacheKeyError:
            if wrong is not None:  # asked again, and the rep gave up
                raise wrong from None
            raise
        if file_state(data / DB_NAME) is FileState.PLAIN:
            print(
                "Encrypting your local repdesk data (once; a few minutes for a large list)...",
                file=sys.stderr,
            )
        try:
            store = Store.open(data, key=key)
        except WrongCacheKeyError as exc:
            if refused is None or not exc.passphrase or attempt == attempts:
                raise
            wrong = exc
            refused(str(exc))
            continue
        if sealed := seal_plain_drafts(drafts_dir(data), key):
            log.info("sealed %d call draft(s) written before the cache was encrypted", sealed)
        return store
    raise AssertionError("every try returns or raises")  # pragma: no cover


def sync_engine(store: StoreApi, paths: AppPaths, settings: Settings | None = None) -> SyncEngine:
    paths.ensure()
    settings = settings or load_settings(paths)
    cache_bytes = int(settings.get(COLLATERAL_CACHE_MB)) * 1024 * 1024
    chosen = settings
    return make_engine(
        store,
        paths.cache / "collateral",
        max_cache_bytes=cache_bytes,
        ca_file=lambda: chosen.get(HUB_CA_FILE),
    )


def scratch_copy(store: Store, folder: Path) -> Store:
    """Close `store` and open a throwaway copy of its database in `folder`.

    The copy is made with SQLite's backup API while no other connection is open (the store
    has exactly one), encrypted with the same key. Whatever is written to the copy (the
    screenshots' sample call) is deleted with `folder` and never reaches the rep's data or
    outbox.
    """
    source, key = store.path, store.key
    store.close()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / source.name
    with mapped_errors(source):
        copy_database(source, target, key)
    return Store.open(folder, key=key)
