"""GUI fixtures: an op runner with real worker threads, a real Store in tmp_path, a context."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from repdesk.domain.defaults import DEFAULT_OBJECTION_CATEGORIES, DEFAULT_RUBRIC
from repdesk.domain.leads import Campaign, Lead
from repdesk.gui.context import AppContext
from repdesk.gui.events import AppEvents
from repdesk.gui.ops import OpRunner
from repdesk.store import Store
from repdesk.store.api import RemoteUpsert

HOSTILE = "<b>x</b><img src=y>"
LEAD_ID = "lead-1"


@pytest.fixture
def events(qapp: object) -> AppEvents:
    return AppEvents()


@pytest.fixture
def runner(events: AppEvents) -> Iterator[OpRunner]:
    ops = OpRunner(None, events)
    yield ops
    ops.shutdown()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A real store with one lead (whose first name is markup), the rubric and taxonomy."""
    s = Store.open(tmp_path / "data")
    changes = [
        RemoteUpsert(
            "lead",
            LEAD_ID,
            1,
            Lead(
                LEAD_ID,
                HOSTILE,
                "Doe",
                "Acme & Co",
                title="CFO",
                phone="+1 555 0100",
                source_campaign_id="camp-1",
            ),
        ),
        RemoteUpsert("rubric", "current", 1, DEFAULT_RUBRIC),
        RemoteUpsert("campaign", "camp-1", 1, Campaign("camp-1", "Spring webinar")),
    ] + [RemoteUpsert("objection_category", c.code, 1, c) for c in DEFAULT_OBJECTION_CATEGORIES]
    s.apply_pull_page(changes, "cursor-1")
    yield s
    s.close()


@pytest.fixture
def ctx(qapp: object, store: Store, tmp_path: Path) -> Iterator[AppContext]:
    context = AppContext.create(store, tmp_path / "data", rep_id="rep-7")
    yield context
    context.shutdown()
