"""GUI fixtures: an op runner with real worker threads, a real Store in tmp_path, a context.

`qtbot` here waits longer by default than pytest-qt's 5 s: CI is a loaded 2-core box where
a worker thread can be starved for seconds. A wait returns as soon as its condition holds,
so the ceiling costs nothing when things are quick; only a real hang takes that long.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from repdesk.domain.defaults import DEFAULT_OBJECTION_CATEGORIES, DEFAULT_RUBRIC
from repdesk.domain.leads import Campaign, Lead
from repdesk.gui.context import AppContext
from repdesk.gui.events import AppEvents
from repdesk.gui.ops import OpRunner
from repdesk.store import Store
from repdesk.store.api import RemoteUpsert
from tests.support.cache_keys import TEST_CACHE_KEY

HOSTILE = "<b>x</b><img src=y>"
LEAD_ID = "lead-1"

#: The default ceiling of every qtbot wait in tests/gui (milliseconds).
WAIT_MS = 30_000


class PatientQtBot(QtBot):
    """pytest-qt's QtBot with `WAIT_MS` as the default timeout of its waits."""

    def waitSignal(self, signal: Any, *, timeout: int = WAIT_MS, **kw: Any) -> Any:  # noqa: N802
        return super().waitSignal(signal, timeout=timeout, **kw)

    def waitSignals(self, signals: Any, *, timeout: int = WAIT_MS, **kw: Any) -> Any:  # noqa: N802
        return super().waitSignals(signals, timeout=timeout, **kw)

    def waitUntil(  # noqa: N802
        self, callback: Callable[[], bool | None], *, timeout: int = WAIT_MS
    ) -> None:
        super().waitUntil(callback, timeout=timeout)

    def waitCallback(self, *, timeout: int = WAIT_MS, **kw: Any) -> Any:  # noqa: N802
        return super().waitCallback(timeout=timeout, **kw)

    def waitExposed(self, widget: Any, *, timeout: int = WAIT_MS) -> Any:  # noqa: N802
        return super().waitExposed(widget, timeout=timeout)

    def waitActive(self, widget: Any, *, timeout: int = WAIT_MS) -> Any:  # noqa: N802
        return super().waitActive(widget, timeout=timeout)


@pytest.fixture
def qtbot(qapp: Any, request: pytest.FixtureRequest) -> PatientQtBot:
    """Overrides pytest-qt's fixture of the same name for every test in tests/gui."""
    return PatientQtBot(request)


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
    s = Store.open(tmp_path / "data", key=TEST_CACHE_KEY)
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


@pytest.fixture(autouse=True)
def _close_message_boxes(qapp: Any) -> Iterator[None]:
    """Warning boxes without a parent stay open until closed: close what a test left."""
    yield
    from repdesk.gui.op_runner import open_message_boxes

    for box in open_message_boxes():
        box.close()
