"""Store fixtures: a real SQLite store in tmp_path, optionally seeded with a rubric and leads."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from repdesk.domain.defaults import DEFAULT_OBJECTION_CATEGORIES, DEFAULT_RUBRIC
from repdesk.store import Store
from tests.store.factories import lead, up


@pytest.fixture
def store(data_dir: Path) -> Iterator[Store]:
    s = Store.open(data_dir)
    yield s
    s.close()


@pytest.fixture
def seeded(store: Store) -> Store:
    """A rubric, the objection taxonomy and two leads (ids "L1" and "L2")."""
    store.apply_pull_page(
        [
            up("rubric", DEFAULT_RUBRIC, 1, "rubric-hub-id"),
            *(up("objection_category", c, 1) for c in DEFAULT_OBJECTION_CATEGORIES),
            up("lead", lead("L1", "Ada", "Lovelace", "Analytical Engines")),
            up("lead", lead("L2", "Grace", "Hopper", "Cobol Systems")),
        ],
        "c0",
    )
    return store
