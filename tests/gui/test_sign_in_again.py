"""The session's owner after sign-out: one sign-in dialog over the window, sync at once.

Real hub on loopback, real SyncEngine and Store; the window, settings dialog and sign-in
dialog are the app's own, and the session owner (`ctx.session`) is the app's.
"""

from __future__ import annotations

from typing import Any

from repdesk.gui.main_window import MainWindow
from repdesk.gui.session import SessionState
from repdesk.gui.signin import SignInDialog
from tests.support.hub_fixtures import PASSWORD
from tests.support.world import World


def _signed_out_window(qtbot: Any, app_ctx: Any, sync_engine: Any, live_world: World) -> MainWindow:
    sync_engine.login(live_world.hub.url, live_world.ada.email, PASSWORD)
    assert app_ctx.session.read_now().state is SessionState.SIGNED_IN
    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: app_ctx.ops.idle)
    with qtbot.waitSignal(app_ctx.session.sign_in_dialog_opened):
        window.sign_out()  # nothing unsent: signs out without asking
    return window


def test_sign_out_then_sign_in_again_syncs_right_away(
    qtbot: Any, app_ctx: Any, sync_engine: Any, live_world: World, rep_store: Any
) -> None:
    window = _signed_out_window(qtbot, app_ctx, sync_engine, live_world)
    session = app_ctx.session
    controller = window.controller
    assert rep_store.sync_state().session is None
    assert session.status.state is SessionState.SIGNED_OUT
    assert controller.scheduled_in_ms == -1
    dialog = session.dialog
    assert isinstance(dialog, SignInDialog) and dialog.isVisible()
    assert dialog.parentWidget() is window
    assert session.sign_in() is dialog, "one sign-in dialog, however often it is asked for"

    dialog.hub_edit.setText(live_world.hub.url)
    dialog.email_edit.setText(live_world.ada.email)
    dialog.password_edit.setText(PASSWORD)
    with qtbot.waitSignals([dialog.signed_in, controller.finished]):
        dialog.sign_in_button.click()
    assert session.dialog is None
    assert session.status.state is SessionState.SIGNED_IN
    assert controller.status.signed_in and controller.online is True
    assert rep_store.sync_state().session is not None
    assert rep_store.lead_count() == 3, "a new sign-in syncs the rep's leads at once"


def test_cancelling_the_sign_in_again_leaves_the_rep_signed_out(
    qtbot: Any, app_ctx: Any, sync_engine: Any, live_world: World, rep_store: Any
) -> None:
    window = _signed_out_window(qtbot, app_ctx, sync_engine, live_world)
    controller = window.controller
    started: list[object] = []
    controller.started.connect(started.append)
    dialog = app_ctx.session.dialog
    assert dialog is not None
    dialog.reject()
    assert app_ctx.session.dialog is None
    qtbot.waitUntil(lambda: app_ctx.ops.idle)
    assert started == [], "no sync without a session"
    assert rep_store.sync_state().session is None
    assert not controller.status.signed_in
