"""Builds the core services (store, settings, sync engine) for the app and the CLI."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from repdesk.store import Store
from repdesk.store.api import StoreApi
from repdesk.store.db import mapped_errors
from repdesk.store.paths import AppPaths
from repdesk.store.settings import (
    COLLATERAL_CACHE_MB,
    HUB_CA_FILE,
    SETTINGS_FILE_NAME,
    Settings,
)
from repdesk.sync.engine import SyncEngine, make_engine


def load_settings(paths: AppPaths) -> Settings:
    return Settings.load(paths.config / SETTINGS_FILE_NAME)


def open_store(data_dir: str | Path | None) -> Store:
    """The rep's local store; refuses (AlreadyRunningError) if another repdesk holds it."""
    paths = AppPaths.resolve(data_dir).ensure()
    return Store.open(paths.data)


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
    has exactly one). Whatever is written to the copy (the screenshots' sample call) is
    deleted with `folder` and never reaches the rep's data or outbox.
    """
    source = store.path
    store.close()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / source.name
    with mapped_errors(source):
        src = sqlite3.connect(source)
        try:
            dst = sqlite3.connect(target)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
    return Store.open(folder)
