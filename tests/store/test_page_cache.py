"""The page cache: small for a rep's session, big only while a sync or a bulk load writes
(issue 9: a 64 MB cache was a third of the app's resident memory)."""

from __future__ import annotations

from repdesk.store import Store
from repdesk.store.db import BULK_CACHE_KIB, CACHE_KIB


def _cache_kib(store: Store) -> int:
    conn = store._conn  # white-box: the pragma of the real connection
    with store._lock, conn.begin():
        return -int(conn.exec_driver_sql("PRAGMA cache_size").scalar_one())


def test_a_sync_writes_with_the_big_cache_and_hands_it_back(store: Store) -> None:
    assert _cache_kib(store) == CACHE_KIB < BULK_CACHE_KIB
    store.apply_pull_page([], "cursor-1")
    assert _cache_kib(store) == BULK_CACHE_KIB
    store.finish_sync()
    assert _cache_kib(store) == CACHE_KIB
    assert store.sync_state().cursor == "cursor-1"


def test_a_bulk_load_hands_the_big_cache_back(store: Store) -> None:
    store.bulk_load([], [])
    assert _cache_kib(store) == CACHE_KIB
