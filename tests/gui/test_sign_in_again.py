"""The composition root's `_SignInAgain`: sign out from the window, sign in, sync at once.

Real hub on loopback, real SyncEngine and Store; the window, settings dialog and sign-in
dialog are the app's own, wired as `repdesk.app.launch` wires them.
"""

from __future__ import annotations

from typing import Any

from repdesk.app.launch import _SignInAgain
from repdesk.gui.main_window import MainWindow
from repdesk.gui.signin import SignInDialog
from tests.gui.test_offline_flow_support import (  # noqa: F401 - fixtures
    EMAIL,
    PASSWORD,
    app_ctx_fixture,
    engine_fixture,
    hub_world_fixture,
    local_store_fixture,
)


def test_sign_out_then_sign_in_again_syncs_right_away(
    qtbot: Any, app_ctx: Any, engine: Any, hub_world: Any, local_store: Any
) -> None:
    engine.login(hub_world.url, EMAIL, PASSWORD)
    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    controller = window.controller
    reauth = _SignInAgain(app_ctx, window, controller)
    window.signed_out.connect(reauth.open)
    window.sign_in_requested.connect(reauth.open)
    window.show()
    qtbot.waitUntil(lambda: app_ctx.ops.idle)

    with qtbot.waitSignal(window.signed_out):
        window.sign_out()  # nothing unsent: signs out without asking
    assert local_store.sync_state().session is None
    dialog = reauth.dialog
    assert isinstance(dialog, SignInDialog) and dialog.isVisible()
    assert dialog.parentWidget() is window
    reauth.open()
    assert reauth.dialog is dialog, "one sign-in dialog, however often it is asked for"

    dialog.hub_edit.setText(hub_world.url)
    dialog.email_edit.setText(EMAIL)
    dialog.password_edit.setText(PASSWORD)
    with qtbot.waitSignals([dialog.signed_in, controller.finished]):
        dialog.sign_in_button.click()
    assert reauth.dialog is None
    assert controller.status.signed_in and controller.online is True
    assert local_store.sync_state().session is not None
    assert local_store.lead_count() == 3, "signed_in_again() synced the rep's leads"


def test_cancelling_the_sign_in_again_leaves_the_rep_signed_out(
    qtbot: Any, app_ctx: Any, engine: Any, hub_world: Any, local_store: Any
) -> None:
    engine.login(hub_world.url, EMAIL, PASSWORD)
    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    controller = window.controller
    reauth = _SignInAgain(app_ctx, window, controller)
    window.signed_out.connect(reauth.open)
    window.show()
    with qtbot.waitSignal(window.signed_out):
        window.sign_out()
    started: list[object] = []
    controller.started.connect(started.append)
    reauth.dialog.reject()
    assert reauth.dialog is None
    qtbot.waitUntil(lambda: app_ctx.ops.idle)
    assert started == [], "no sync without a session"
    assert local_store.sync_state().session is None
