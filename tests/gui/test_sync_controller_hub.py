"""The sync controller against a real hub: leads arrive; a revoked session asks to sign in again."""

from __future__ import annotations

from typing import Any

import httpx
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QWidget

from repdesk.domain.outbox import OutboxState
from repdesk.gui.signin import SignInDialog
from repdesk.gui.sync_controller import SyncController
from tests.gui.test_offline_flow_support import (
    add_note,
    grab,
)
from tests.support.hub_fixtures import PASSWORD
from tests.support.world import World


def test_f5_syncs_and_the_reps_leads_arrive(
    qtbot: Any, app_ctx: Any, sync_engine: Any, live_world: World, rep_store: Any
) -> None:
    sync_engine.login(live_world.hub.url, live_world.ada.email, PASSWORD)
    window = QWidget()
    qtbot.addWidget(window)
    controller = SyncController(app_ctx, window, prompt_sign_in=False)
    window.addAction(controller.action)
    assert controller.action.shortcut() == QKeySequence(QKeySequence.StandardKey.Refresh)
    changes: list[Any] = []
    app_ctx.events.changed.connect(changes.append)
    with qtbot.waitSignal(controller.finished) as blocker:
        controller.action.trigger()
    report = blocker.args[0]
    assert report.pulled > 0
    assert rep_store.lead_count() == 3
    assert {c.sha256 for c in rep_store.collateral()} == {c.sha256 for c in live_world.collateral}
    assert any(c.leads for c in changes), "views learn that leads changed"
    assert controller.online is True


def _revoke_token(live_world: World, sync_engine: Any) -> None:
    session = sync_engine.store.sync_state().session
    token = sync_engine.credentials.load(session.hub_url, session.rep_email)
    response = httpx.post(
        f"{live_world.hub.url}/v1/auth/logout", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code < 300


def test_revoked_session_asks_to_sign_in_again_and_keeps_the_outbox(
    qtbot: Any, app_ctx: Any, sync_engine: Any, live_world: World, rep_store: Any
) -> None:
    sync_engine.login(live_world.hub.url, live_world.ada.email, PASSWORD)
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    controller = SyncController(app_ctx, window)
    with qtbot.waitSignal(controller.finished):
        controller.sync_now()
    add_note(rep_store, live_world.ada.leads[0], "Asked for a reference customer")
    _revoke_token(live_world, sync_engine)

    with qtbot.waitSignal(app_ctx.session.sign_in_dialog_opened) as opened:
        controller.sync_now()
    assert rep_store.outbox_counts().pending == 1, "the outbox is kept"
    assert controller.scheduled_in_ms == -1
    dialog = opened.args[0]
    assert isinstance(dialog, SignInDialog)
    assert dialog.isVisible()
    assert "session" in dialog.reason_label.text()
    assert dialog.hub_edit.text() == live_world.hub.url
    assert dialog.email_edit.text() == live_world.ada.email
    dialog.password_edit.setText(PASSWORD)
    grab(dialog, "signin-session-ended")
    with qtbot.waitSignal(controller.finished):
        dialog.sign_in_button.click()
    assert [i.state for i in rep_store.outbox()] == [OutboxState.APPLIED]
    assert controller.status.signed_in is True


def test_a_disabled_rep_sees_the_cached_leads_go_at_the_next_sync(
    qtbot: Any, app_ctx: Any, sync_engine: Any, live_world: World, rep_store: Any
) -> None:
    """Marketing disables the rep: the next sync erases the local leads, and the views are
    told everything changed (the lead list empties without a restart)."""
    from repdesk.hub.admin.hub import Hub
    from repdesk.hub.admin.reps import disable_rep

    sync_engine.login(live_world.hub.url, live_world.ada.email, PASSWORD)
    window = QWidget()
    qtbot.addWidget(window)
    controller = SyncController(app_ctx, window, prompt_sign_in=False)
    with qtbot.waitSignal(controller.finished):
        controller.sync_now()
    assert rep_store.lead_count() == 3
    hub = live_world.hub
    disable_rep(Hub(hub.config, hub.db, hub.files), live_world.ada.email)

    changes: list[Any] = []
    app_ctx.events.changed.connect(changes.append)
    with qtbot.waitSignal(controller.failed) as failed:
        controller.sync_now()
    assert "erased" in failed.args[0]
    assert rep_store.lead_count() == 0
    assert any(c.leads and c.outbox for c in changes), "views learn that leads went"
