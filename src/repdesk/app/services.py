"""Builds the core services (store, settings, sync engine) for the app and the CLI."""

from __future__ import annotations

from pathlib import Path

from repdesk.store import Store
from repdesk.store.api import StoreApi
from repdesk.store.paths import AppPaths
from repdesk.store.settings import COLLATERAL_CACHE_MB, SETTINGS_FILE_NAME, Settings
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
    return make_engine(store, paths.cache / "collateral", max_cache_bytes=cache_bytes)
