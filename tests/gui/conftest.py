"""GUI fixtures: an op runner with real worker threads, stopped after each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from repdesk.gui.events import AppEvents
from repdesk.gui.ops import OpRunner


@pytest.fixture
def events(qapp: object) -> AppEvents:
    return AppEvents()


@pytest.fixture
def runner(events: AppEvents) -> Iterator[OpRunner]:
    ops = OpRunner(None, events)
    yield ops
    ops.shutdown()
