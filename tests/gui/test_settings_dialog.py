"""Settings: values through the typed registry; sign-out never discards unsent work.

Against a real hub on loopback, a real SyncEngine and Store; the rep's answers to the
"unsent work" question and the file dialog are given by clicking the real widgets.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSize

from repdesk.domain.outbox import OutboxState
from repdesk.gui.settings_dialog import SettingsDialog, SignOutChoice
from repdesk.gui.sync_controller import SyncController
from repdesk.store import settings as registry
from tests.gui.test_offline_flow_support import (
    add_note,
    grab,
)
from tests.support.hub_fixtures import PASSWORD
from tests.support.world import World


def _dialog(qtbot: Any, ctx: Any, controller: Any = None) -> SettingsDialog:
    dialog = SettingsDialog(ctx, controller=controller)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: ctx.ops.idle)
    return dialog


def _signed_in(sync_engine: Any, live_world: World, rep_store: Any) -> None:
    sync_engine.login(live_world.hub.url, live_world.ada.email, PASSWORD)
    sync_engine.sync()
    assert rep_store.lead_count() == 3


def test_values_are_read_and_saved_through_the_registry(
    qtbot: Any, app_ctx: Any, sync_engine: Any
) -> None:
    app_ctx.settings.set(registry.SYNC_INTERVAL_MINUTES, 10)
    controller = SyncController(app_ctx, prompt_sign_in=False)
    dialog = _dialog(qtbot, app_ctx, controller)
    assert dialog.interval_spin.value() == 10
    assert dialog.cache_spin.value() == registry.COLLATERAL_CACHE_MB.default
    assert dialog.account_label.text() == "Signed out."
    assert dialog.cache_usage_label.text() == "Collateral on this computer now: 0 bytes"
    assert not dialog.sign_out_button.isEnabled()
    grab(dialog, "settings-signed-out", QSize(520, 380))

    dialog.interval_spin.setValue(3)
    dialog.cache_spin.setValue(250)
    with qtbot.waitSignal(dialog.settings_saved):
        dialog.save()
    reloaded = registry.Settings.load(app_ctx.settings.path)
    assert reloaded.get(registry.SYNC_INTERVAL_MINUTES) == 3
    assert reloaded.get(registry.COLLATERAL_CACHE_MB) == 250
    assert sync_engine.cache.max_bytes == 250 * 1024 * 1024
    assert 0 < controller.scheduled_in_ms <= 3 * 60_000 * 1.05, "the new interval applies at once"


def test_sign_out_with_nothing_unsent_signs_out(
    qtbot: Any, app_ctx: Any, sync_engine: Any, live_world: World, rep_store: Any
) -> None:
    _signed_in(sync_engine, live_world, rep_store)
    dialog = _dialog(qtbot, app_ctx)
    assert dialog.hub_label.text() == live_world.hub.url
    assert live_world.ada.name in dialog.account_label.text()
    grab(dialog, "settings-signed-in", QSize(520, 380))
    with qtbot.waitSignal(dialog.signed_out):
        dialog.sign_out_button.click()
    assert rep_store.sync_state().session is None


def _answer(qtbot: Any, dialog: SettingsDialog, choice: SignOutChoice | None) -> None:
    qtbot.waitUntil(lambda: dialog.sign_out_box is not None)
    box = dialog.sign_out_box
    assert box is not None and box.isVisible()
    assert "2 of your changes have not reached the hub" in box.text()
    if choice is None:
        box.reject()
    else:
        dialog.sign_out_buttons[choice].click()


def test_sign_out_with_unsent_work_can_send_it_first(
    qtbot: Any, app_ctx: Any, sync_engine: Any, live_world: World, rep_store: Any
) -> None:
    _signed_in(sync_engine, live_world, rep_store)
    add_note(rep_store, live_world.ada.leads[0], "one")
    add_note(rep_store, live_world.ada.leads[1], "two")
    controller = SyncController(app_ctx, prompt_sign_in=False)
    dialog = _dialog(qtbot, app_ctx, controller)
    with qtbot.waitSignal(dialog.signed_out):
        dialog.sign_out_button.click()
        _answer(qtbot, dialog, SignOutChoice.SEND)
    assert {i.state for i in rep_store.outbox()} == {OutboxState.APPLIED}
    assert rep_store.sync_state().session is None
    assert controller.scheduled_in_ms == -1, "no scheduled syncs while signed out"


def test_sign_out_when_sending_fails_keeps_the_rep_signed_in(
    qtbot: Any, app_ctx: Any, sync_engine: Any, live_world: World, rep_store: Any
) -> None:
    _signed_in(sync_engine, live_world, rep_store)
    add_note(rep_store, live_world.ada.leads[0], "one")
    add_note(rep_store, live_world.ada.leads[1], "two")
    live_world.hub.stop()
    controller = SyncController(app_ctx, prompt_sign_in=False)
    dialog = _dialog(qtbot, app_ctx, controller)
    with qtbot.waitSignal(dialog.sign_out_blocked) as blocker:
        dialog.sign_out_button.click()
        _answer(qtbot, dialog, SignOutChoice.SEND)
    assert "could not be sent" in blocker.args[0]
    assert rep_store.sync_state().session is not None
    assert rep_store.outbox_counts().pending == 2
    grab(dialog, "settings-sign-out-blocked", QSize(520, 420))


def test_sign_out_with_unsent_work_exports_then_signs_out_keeping_the_items(
    qtbot: Any, app_ctx: Any, sync_engine: Any, live_world: World, rep_store: Any, tmp_path: Path
) -> None:
    _signed_in(sync_engine, live_world, rep_store)
    add_note(rep_store, live_world.ada.leads[0], "one")
    add_note(rep_store, live_world.ada.leads[1], "two")
    live_world.hub.stop()
    dialog = _dialog(qtbot, app_ctx)
    target = tmp_path / "unsent.json"
    with qtbot.waitSignal(dialog.signed_out):
        dialog.sign_out_button.click()
        _answer(qtbot, dialog, SignOutChoice.EXPORT)
        qtbot.waitUntil(lambda: dialog.file_dialog is not None)
        assert dialog.file_dialog is not None
        dialog.file_dialog.selectFile(str(target))
        dialog.file_dialog.accept()
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["count"] == 2
    assert rep_store.sync_state().session is None
    assert rep_store.outbox_counts().pending == 2, "signing out never discards unsent work"


def test_sign_out_cancelled_or_export_abandoned_stays_signed_in(
    qtbot: Any, app_ctx: Any, sync_engine: Any, live_world: World, rep_store: Any
) -> None:
    _signed_in(sync_engine, live_world, rep_store)
    add_note(rep_store, live_world.ada.leads[0], "one")
    add_note(rep_store, live_world.ada.leads[1], "two")
    dialog = _dialog(qtbot, app_ctx)
    with qtbot.waitSignal(dialog.sign_out_blocked):
        dialog.sign_out_button.click()
        _answer(qtbot, dialog, None)
    with qtbot.waitSignal(dialog.sign_out_blocked):
        dialog.sign_out_button.click()
        _answer(qtbot, dialog, SignOutChoice.EXPORT)
        qtbot.waitUntil(lambda: dialog.file_dialog is not None)
        assert dialog.file_dialog is not None
        dialog.file_dialog.reject()
    assert rep_store.sync_state().session is not None
    assert rep_store.outbox_counts().pending == 2


def test_sign_out_from_a_menu_without_the_dialog_still_explains_itself(
    qtbot: Any, app_ctx: Any, sync_engine: Any, live_world: World, rep_store: Any
) -> None:
    from PySide6.QtWidgets import QApplication, QMessageBox

    _signed_in(sync_engine, live_world, rep_store)
    add_note(rep_store, live_world.ada.leads[0], "one")
    add_note(rep_store, live_world.ada.leads[1], "two")
    dialog = SettingsDialog(app_ctx)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.sign_out_blocked) as blocker:
        dialog.sign_out()
        _answer(qtbot, dialog, None)
    boxes = [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, QMessageBox) and w.isVisible() and w.text() == blocker.args[0]
    ]
    assert boxes, "the rep is told why they are still signed in"
    for box in boxes:
        box.close()


def test_change_hub_signs_out_first_and_only_then_asks_for_the_new_hub(
    qtbot: Any, app_ctx: Any, sync_engine: Any, live_world: World, rep_store: Any
) -> None:
    _signed_in(sync_engine, live_world, rep_store)
    add_note(rep_store, live_world.ada.leads[0], "one")
    add_note(rep_store, live_world.ada.leads[1], "two")
    dialog = _dialog(qtbot, app_ctx)
    asked: list[bool] = []
    dialog.change_hub_requested.connect(lambda: asked.append(True))
    with qtbot.waitSignal(dialog.sign_out_blocked):
        dialog.change_hub_button.click()
        _answer(qtbot, dialog, None)
    assert asked == [], "unsent work for this hub must not follow the rep to another hub"
    assert rep_store.sync_state().session is not None

    with qtbot.waitSignal(dialog.change_hub_requested):
        dialog.change_hub_button.click()
        _answer(qtbot, dialog, SignOutChoice.SEND)
    assert rep_store.sync_state().session is None
    assert rep_store.outbox_counts().pending == 0


@pytest.fixture
def theme(qapp: Any) -> Iterator[Any]:
    """The app's ThemeManager, as the composition root makes it; the app's look is restored."""
    from PySide6.QtWidgets import QApplication

    from repdesk.gui.theme import ThemeManager

    style, palette = qapp.style().name(), QApplication.palette()
    manager = ThemeManager(qapp)
    yield manager
    manager.setParent(None)  # later tests must not find it
    manager.deleteLater()
    qapp.setStyle(style)
    qapp.setPalette(palette)


def test_appearance_is_saved_and_applied_at_once(
    qtbot: Any, app_ctx: Any, sync_engine: Any, theme: Any
) -> None:
    from repdesk.gui.theme import ThemeMode, theme_manager

    assert theme_manager() is theme
    dialog = _dialog(qtbot, app_ctx)
    assert dialog.theme_combo.currentData() == "system"
    dialog.theme_combo.setCurrentIndex(dialog.theme_combo.findData("dark"))
    with qtbot.waitSignal(theme.theme_changed) as applied:
        dialog.save()
    assert applied.args == [True]
    assert theme.mode is ThemeMode.DARK and theme.dark
    assert registry.Settings.load(app_ctx.settings.path).get(registry.THEME) == "dark"

    again = _dialog(qtbot, app_ctx)
    assert again.theme_combo.currentData() == "dark", "the dialog shows the saved choice"
    again.theme_combo.setCurrentIndex(again.theme_combo.findData("light"))
    with qtbot.waitSignal(theme.theme_changed) as applied:
        again.save()
    assert applied.args == [False] and theme.mode is ThemeMode.LIGHT


def test_an_unknown_stored_theme_means_follow_the_system() -> None:
    from repdesk.gui.theme import ThemeMode, theme_mode

    assert theme_mode("dark") is ThemeMode.DARK
    assert theme_mode("sepia") is ThemeMode.SYSTEM


def test_enter_never_changes_the_hub_or_signs_out(
    qtbot: Any, app_ctx: Any, sync_engine: Any, live_world: World, rep_store: Any
) -> None:
    """Issue 7.4: Enter in Settings pressed "Change hub…" (the first button, so an auto-default
    one), which signs the rep out. Enter is for Save; changing hub or signing out takes a click
    or Space on that button."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    _signed_in(sync_engine, live_world, rep_store)
    dialog = _dialog(qtbot, app_ctx)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    navigated: list[str] = []
    dialog.change_hub_requested.connect(lambda: navigated.append("change hub"))
    dialog.signed_out.connect(lambda: navigated.append("signed out"))
    first = QApplication.focusWidget()
    for widget in (first, dialog.change_hub_button, dialog.sign_out_button):
        widget.setFocus()
        qtbot.keyClick(widget, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: app_ctx.ops.idle)
        assert dialog.sign_out_box is None, "no sign-out question"
        assert navigated == []
        assert rep_store.sync_state().session is not None
        dialog.show()  # Enter pressed Save, which closes the dialog: that is its job
    with qtbot.waitSignal(dialog.settings_saved):
        qtbot.keyClick(dialog.interval_spin, Qt.Key.Key_Return)
