"""The sync status bar: unsent count (click opens the outbox), last sync, online state, progress.

The long-sync case uses a stand-in engine whose sync waits on a gate (a precisely slow
hub); the rest reads a real Store.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import QSize

from repdesk.domain.changes import Changes
from repdesk.domain.errors import NetworkError
from repdesk.gui.status import SyncStatusBar, last_sync_text, pending_text
from repdesk.gui.sync_controller import SyncController
from repdesk.store.api import OutboxCounts
from repdesk.sync.api import SyncReport
from tests.gui.test_offline_flow_support import (
    add_note,
    grab,
    grab_light_and_dark,
    lead,
    seed_leads,
)


class _GatedEngine:
    """Stand-in for SyncEngine.sync: waits for `gate`, then succeeds or raises `fail`."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.fail: BaseException | None = None

    def sync(self, progress: Any, cancel: threading.Event) -> SyncReport:
        progress("Sending your changes", 2, 5)
        while not self.gate.wait(0.01):
            if cancel.is_set():
                from repdesk.domain.errors import Interrupted

                raise Interrupted("cancelled")
        if self.fail is not None:
            raise self.fail
        return SyncReport()


def _bar(qtbot: Any, ctx: Any) -> tuple[SyncStatusBar, SyncController]:
    controller = SyncController(ctx, prompt_sign_in=False)
    bar = SyncStatusBar(ctx, controller)
    qtbot.addWidget(bar)
    bar.resize(760, 28)
    with qtbot.waitSignal(bar.counts_loaded):
        bar.show()
    return bar, controller


def test_pending_count_follows_the_outbox_and_opens_it(
    qtbot: Any, app_ctx: Any, rep_store: Any
) -> None:
    ada = lead("Ada Lovelace")
    seed_leads(rep_store, ada)
    bar, _ = _bar(qtbot, app_ctx)
    assert bar.pending_button.text() == "All sent"
    assert bar.last_sync_label.text() == "Not synced yet"

    add_note(rep_store, ada.id, "one")
    add_note(rep_store, ada.id, "two")
    with qtbot.waitSignal(bar.counts_loaded):
        app_ctx.events.emit_changes(Changes(outbox=True))
    assert bar.pending_button.text() == "2 unsent"
    with qtbot.waitSignal(bar.outbox_requested):
        bar.pending_button.click()
    grab(bar, "status-pending", QSize(760, 28))


def test_offline_then_online_and_progress_only_for_long_work(
    qtbot: Any, app_ctx: Any, rep_store: Any
) -> None:
    engine = _GatedEngine()
    app_ctx.sync = engine
    bar, controller = _bar(qtbot, app_ctx)
    engine.fail = NetworkError("repdesk could not reach the hub.")
    engine.gate.set()
    with qtbot.waitSignal(controller.ended):
        controller.sync_now()
    assert "Offline" in bar.online_label.text()
    assert "could not reach" in bar.online_label.toolTip()
    assert not bar.progress_shown
    grab(bar, "status-offline", QSize(760, 28))

    engine.gate.clear()
    engine.fail = None
    controller.sync_now()
    # The bar appears after the delay; the phase comes from the network thread, which a
    # loaded box may run later than that: wait for both.
    qtbot.waitUntil(lambda: bar.progress_shown and bar.phase_label.text() == "Sending your changes")
    assert bar.progress_bar.maximum() == 5
    grab(bar, "status-progress", QSize(760, 28))
    with qtbot.waitSignal(controller.ended):
        engine.gate.set()
    assert not bar.progress_shown
    assert "Online" in bar.online_label.text()
    assert bar.last_sync_label.text() == "Synced just now"


def test_a_sync_done_before_the_window_opened_shows_online(
    qtbot: Any, app_ctx: Any, rep_store: Any
) -> None:
    """`repdesk --demo` syncs before the window exists: the bar must not say "not connected"."""
    rep_store.finish_sync("")  # what the engine records after a successful sync
    bar, controller = _bar(qtbot, app_ctx)
    qtbot.waitUntil(lambda: controller.online is True)
    assert "Online" in bar.online_label.text()
    assert bar.last_sync_label.text() == "Synced just now"


def test_a_failed_last_sync_is_not_taken_for_online(
    qtbot: Any, app_ctx: Any, rep_store: Any
) -> None:
    rep_store.finish_sync("")
    rep_store.finish_sync("repdesk could not reach the hub.")
    bar, controller = _bar(qtbot, app_ctx)
    qtbot.waitUntil(lambda: controller.status.last_error != "")
    assert controller.online is None
    assert "Not connected yet" in bar.online_label.text()
    assert "could not reach" in bar.online_label.toolTip()
    # The last good sync is still shown, as a time: "just now" beside "Not connected yet"
    # would contradict it.
    assert bar.last_sync_label.text().startswith("Last synced ")


def test_text_helpers() -> None:
    now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    assert last_sync_text(now - timedelta(minutes=2), now) == "Synced 2 min ago"
    assert last_sync_text(None, now) == "Not synced yet"
    assert pending_text(OutboxCounts(pending=3, rejected=1)) == "3 unsent, 1 refused"
    assert pending_text(OutboxCounts(conflicts=2)) == "2 to decide"


def _text_contrast(widget: Any) -> float:
    """The strongest contrast any pixel of `widget`, as painted in its window, has against
    the app's window colour: the text's own colour, measured from what is on screen."""
    from PySide6.QtGui import QColor, QGuiApplication, QPalette

    from repdesk.gui.theme import contrast_ratio

    image = widget.window().grab(widget.geometry()).toImage()
    background = QGuiApplication.palette().color(QPalette.ColorRole.Window)
    best = 1.0
    for y in range(image.height()):
        for x in range(image.width()):
            best = max(best, contrast_ratio(QColor(image.pixel(x, y)), background))
    return best


def test_switching_to_dark_keeps_the_unsent_count_readable(
    qtbot: Any, qapp: Any, app_ctx: Any, rep_store: Any
) -> None:
    """Settings → Appearance → Dark while the window is open: the status bar's texts
    (the unsent count, the toned online state) are repainted for the new palette."""
    from PySide6.QtGui import QGuiApplication

    from repdesk.gui.theme import ThemeManager, ThemeMode

    original = QGuiApplication.palette()
    manager = ThemeManager(qapp, ThemeMode.LIGHT)
    try:
        alice = lead("Alice Martin")
        seed_leads(rep_store, alice)
        add_note(rep_store, alice.id, "call back")
        bar, controller = _bar(qtbot, app_ctx)
        qtbot.waitUntil(lambda: bar.counts.pending == 1)
        controller._set_status(online=True)
        for widget in (bar.pending_button, bar.online_label, bar.last_sync_label):
            assert _text_contrast(widget) >= 4.5, widget.objectName()
        manager.set_mode(ThemeMode.DARK)
        grab(bar, "status-bar-dark", QSize(760, 28))
        for widget in (bar.pending_button, bar.online_label, bar.last_sync_label):
            assert _text_contrast(widget) >= 4.5, widget.objectName()
    finally:
        qapp.setPalette(original)
        QGuiApplication.styleHints().colorSchemeChanged.disconnect(manager._on_system_scheme)
        manager.setParent(None)


def test_offline_is_never_shown_beside_synced_just_now(
    qtbot: Any, qapp: Any, app_ctx: Any, rep_store: Any
) -> None:
    """Issue 7.2: a sync succeeds, the next one finds the hub unreachable. The bar said
    "● Offline — your work is kept" next to "Synced just now". Offline wins; the other
    label says when the last successful sync was, as a clock time."""
    engine = _GatedEngine()
    app_ctx.sync = engine
    bar, controller = _bar(qtbot, app_ctx)
    engine.gate.set()
    rep_store.finish_sync("")  # what the real engine records after a successful sync
    with qtbot.waitSignal(controller.ended):
        controller.sync_now()
    assert bar.last_sync_label.text() == "Synced just now"

    engine.fail = NetworkError("repdesk could not reach the hub.")
    with qtbot.waitSignal(controller.ended):
        controller.sync_now()
    assert "Offline" in bar.online_label.text()
    last_good = controller.status.last_sync_at
    assert last_good is not None
    clock = last_good.astimezone().strftime("%H:%M")
    assert bar.last_sync_label.text() == f"Last synced {clock}"
    grab_light_and_dark(bar, "status-offline-last-synced", QSize(760, 28))


def test_last_synced_on_another_day_names_the_day() -> None:
    from repdesk.gui.status import last_good_sync_text

    now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    earlier = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)
    clock = earlier.astimezone().strftime("%d %b %H:%M")
    assert last_good_sync_text(earlier, now) == f"Last synced {clock}"
    assert last_good_sync_text(None, now) == "Not synced yet"
