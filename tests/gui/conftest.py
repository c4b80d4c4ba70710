"""tests/gui only: a patient `qtbot`, `events`, an op `runner` with real worker threads,
and closing message boxes a test left open. Stores and contexts (`rep_store`, `app_ctx`,
`one_lead_ctx`, ...) are in `tests/support/gui_fixtures.py`.

`qtbot` here waits longer by default than pytest-qt's 5 s: CI is a loaded 2-core box where
a worker thread can be starved for seconds. A wait returns as soon as its condition holds,
so the ceiling costs nothing when things are quick; only a real hang takes that long.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from repdesk.gui.events import AppEvents
from repdesk.gui.ops import OpRunner

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


@pytest.fixture(autouse=True)
def _close_message_boxes(qapp: Any) -> Iterator[None]:
    """Warning boxes without a parent stay open until closed: close what a test left."""
    yield
    from repdesk.gui.op_runner import open_message_boxes

    for box in open_message_boxes():
        box.close()


@pytest.fixture(autouse=True)
def _app_look_restored(qapp: Any) -> Iterator[None]:
    """A test that runs the whole app in this process (`cli(["--screenshot", ...])`) leaves
    the composition root's ThemeManager on the shared QApplication, and its palette: later
    tests would find that manager instead of their own. Drop what the test added."""
    from repdesk.gui.theme import ThemeManager

    before = set(qapp.findChildren(ThemeManager))
    style, palette = qapp.style().name(), qapp.palette()
    yield
    added = set(qapp.findChildren(ThemeManager)) - before
    for manager in added:
        manager.setParent(None)
        manager.deleteLater()
    if added:
        qapp.setStyle(style)
        qapp.setPalette(palette)
