"""Builds the core services (store, settings, sync engine) for the app and the CLI."""

from __future__ import annotations

import getpass
import logging
import sys
from pathlib import Path

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
from repdesk.sync.cache_key import AskPassphrase, cache_key
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
    Refuses (AlreadyRunningError) if another repdesk holds it."""
    paths = AppPaths.resolve(data_dir).ensure()
    return open_rep_store(paths.data, ask)


def open_rep_store(data: Path, ask: AskPassphrase) -> Store:
    """`Store.open` of the data folder `data` with its cache key (see `open_store`)."""
    key = cache_key(data, ask)
    if file_state(data / DB_NAME) is FileState.PLAIN:
        print(
            "Encrypting your local repdesk data (once; a few minutes for a large list)...",
            file=sys.stderr,
        )
    store = Store.open(data, key=key)
    if sealed := seal_plain_drafts(drafts_dir(data), key):
        log.info("sealed %d call draft(s) written before the cache was encrypted", sealed)
    return store


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
