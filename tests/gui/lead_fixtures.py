"""Fixtures for the lead list / lead view / main window tests: a real, seeded store and context.

Test modules import them by name (pytest picks fixtures up from the module namespace).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from repdesk.gui.context import AppContext
from repdesk.store.settings import Settings
from repdesk.store.store import Store
from tests.gui.lead_data import Seeded, seed, write_collateral_files
from tests.support.cache_keys import TEST_CACHE_KEY


@pytest.fixture
def store(data_dir: Path) -> Iterator[Store]:
    opened = Store.open(data_dir, key=TEST_CACHE_KEY)
    yield opened
    opened.close()


@pytest.fixture
def seeded(store: Store) -> Seeded:
    return seed(store)


@pytest.fixture
def app_ctx(qtbot: Any, store: Store, seeded: Seeded, tmp_path: Path) -> Iterator[AppContext]:
    ctx = AppContext.create(
        store,
        store.data_dir,
        settings=Settings(tmp_path / "config" / "settings.json"),
        collateral=write_collateral_files(tmp_path / "collateral"),
        rep_id="rep-1",
    )
    yield ctx
    # Let the views' last loads land before the workers stop (outcomes delivered after
    # shutdown could otherwise try to queue follow-up work on a stopped runner).
    qtbot.waitUntil(lambda: ctx.ops.idle)
    ctx.shutdown()
