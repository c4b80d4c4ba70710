"""The session's owner (`ctx.session`) end to end: the offline start, the hub on a new
port, and work set aside for another rep or another hub, shown to the rep.

Everything is real: an EmbeddedHub on loopback, the SyncEngine, a Store in tmp_path, the
in-memory test keyring (or no keyring at all), and the app's own windows as
`repdesk.app.launch.open_windows` opens them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backends import fail
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QMessageBox

from repdesk.app.launch import open_windows
from repdesk.domain.outbox import OutboxState
from repdesk.gui.session import SessionState
from repdesk.hub.db import models as m
from repdesk.sync.collateral import CollateralCache
from repdesk.sync.credentials import Credentials
from repdesk.sync.engine import SyncEngine
from repdesk.sync.retry import NO_RETRY
from tests.gui.test_offline_flow_support import (
    add_note,
    grab,
)
from tests.support.hub_fixtures import PASSWORD
from tests.support.hub_rows import count_rows
from tests.support.world import World

OTHER_EMAIL = "bruno@example.test"


def _next_run(app_ctx: Any, tmp_path: Path) -> None:
    """repdesk started again on the same data folder: a new engine, whose credentials
    hold only what the keyring kept (nothing, with no keyring)."""
    store = app_ctx.store
    app_ctx.sync = SyncEngine(
        store, Credentials(), CollateralCache(tmp_path / "cache"), retry=NO_RETRY
    )


def _sign_in_through(qtbot: Any, app_ctx: Any, url: str, email: str) -> Any:
    dialog = app_ctx.session.dialog or app_ctx.session.sign_in()
    dialog.hub_edit.setText(url)
    dialog.email_edit.setText(email)
    dialog.password_edit.setText(PASSWORD)
    return dialog


def test_offline_start_without_a_token_opens_the_window_and_signing_in_later_sends_once(
    qtbot: Any, app_ctx: Any, sync_engine: Any, live_world: World, rep_store: Any, tmp_path: Path
) -> None:
    keyring.set_keyring(fail.Keyring())  # the token lives in memory only (this run)
    sync_engine.login(live_world.hub.url, live_world.ada.email, PASSWORD)
    sync_engine.sync()
    notes = [add_note(rep_store, live_world.ada.leads[i], f"note {i}") for i in range(2)]
    live_world.hub.stop()  # the hub is down...
    _next_run(app_ctx, tmp_path)  # ...and repdesk starts again, with no token

    window = open_windows(app_ctx)
    assert window is not None, "the rep's local data opens without signing in"
    qtbot.addWidget(window)
    session = app_ctx.session
    assert session.status.state is SessionState.SIGN_IN_NEEDED
    assert session.dialog is None, "no sign-in dialog stands between the rep and the leads"
    qtbot.waitUntil(lambda: window.lead_list.model.rowCount() == 3)
    outbox = window.show_outbox()
    qtbot.waitUntil(lambda: outbox.model.rowCount() == 2)
    status = window.status_widget
    assert status is not None
    qtbot.waitUntil(lambda: status.counts.pending == 2)
    assert status.online_label.text() == "● Not signed in: sign in to send and receive"
    assert status.sign_in_button.isVisible()
    assert window.controller.scheduled_in_ms == -1, "no syncs that could only fail"
    grab(window, "offline-start-not-signed-in", QSize(1280, 760))

    live_world.hub.start()  # the hub is back
    with qtbot.waitSignal(session.sign_in_dialog_opened) as opened:
        status.sign_in_button.click()  # one click opens sign-in
    dialog = opened.args[0]
    assert dialog.parentWidget() is window
    assert (dialog.hub_edit.text(), dialog.email_edit.text()) == (
        live_world.hub.url,
        live_world.ada.email,
    )
    dialog.password_edit.setText(PASSWORD)
    with qtbot.waitSignal(window.controller.finished) as done:
        dialog.sign_in_button.click()
    assert done.args[0].applied == 2
    assert {i.state for i in rep_store.outbox()} == {OutboxState.APPLIED}
    assert session.status.state is SessionState.SIGNED_IN
    qtbot.waitUntil(lambda: not status.sign_in_button.isVisible())
    for note in notes:
        assert count_rows(live_world.hub.db, m.CallNote, id=note.id) == 1
    assert count_rows(live_world.hub.db, m.ProcessedMutation) == 2, "each change sent exactly once"


def test_a_refused_token_at_start_still_opens_the_window(
    qtbot: Any, app_ctx: Any, sync_engine: Any, live_world: World, rep_store: Any, tmp_path: Path
) -> None:
    """The session is remembered but its token is gone (the hub ended it last run)."""
    sync_engine.login(live_world.hub.url, live_world.ada.email, PASSWORD)
    session = rep_store.sync_state().session
    sync_engine.credentials.delete(session.hub_url, session.rep_email)
    window = open_windows(app_ctx)
    assert window is not None
    qtbot.addWidget(window)
    assert app_ctx.session.status.state is SessionState.SIGN_IN_NEEDED


def test_the_demo_hub_on_a_new_port_keeps_the_queue_through_the_sign_in_dialog(
    qtbot: Any, app_ctx: Any, sync_engine: Any, live_world: World, rep_store: Any
) -> None:
    sync_engine.login(live_world.hub.url, live_world.ada.email, PASSWORD)
    sync_engine.sync()
    note = add_note(rep_store, live_world.ada.leads[0], "said yes to a pilot")
    old_url = live_world.hub.url
    live_world.hub.move()
    assert live_world.hub.url != old_url
    window = open_windows(app_ctx)
    qtbot.addWidget(window)
    notices: list[object] = []
    app_ctx.session.set_aside_shown.connect(notices.append)

    dialog = _sign_in_through(qtbot, app_ctx, live_world.hub.url, live_world.ada.email)
    with qtbot.waitSignal(window.controller.finished) as done:
        dialog.sign_in_button.click()
    assert done.args[0].applied == 1
    assert notices == [], "nothing was set aside: it is the same hub"
    assert rep_store.sync_state().session.hub_url == live_world.hub.url
    assert count_rows(live_world.hub.db, m.CallNote, id=note.id) == 1
    assert not (rep_store.path.parent / "set-aside").exists()


@pytest.fixture
def other_hub(tmp_path: Path, live_world: World) -> Any:
    """Another hub that knows the World's ada (same email and password)."""
    from repdesk.hub.config import HubConfig
    from repdesk.hub.embedded import EmbeddedHub
    from tests.support import hub_rows as seed

    hub = EmbeddedHub(HubConfig.resolve(tmp_path / "other-hub"))
    hub.start()
    seed.add_rep(hub.state.db, live_world.ada.email, PASSWORD, live_world.ada.name)
    yield hub
    hub.stop()


@pytest.mark.parametrize("who", ["another rep", "another hub"])
def test_work_set_aside_is_shown_with_what_how_many_where_and_its_folder(
    qtbot: Any,
    app_ctx: Any,
    sync_engine: Any,
    live_world: World,
    rep_store: Any,
    other_hub: Any,
    who: str,
) -> None:
    from tests.support import hub_rows as seed

    seed.add_rep(live_world.hub.db, OTHER_EMAIL, PASSWORD, "Bruno Other")
    sync_engine.login(live_world.hub.url, live_world.ada.email, PASSWORD)
    sync_engine.sync()
    add_note(rep_store, live_world.ada.leads[0], "one")
    add_note(rep_store, live_world.ada.leads[1], "two")
    window = open_windows(app_ctx)
    qtbot.addWidget(window)
    session = app_ctx.session
    opened: list[Path] = []
    session.open_folder = opened.append
    with qtbot.waitSignal(session.sign_in_dialog_opened):
        sync_engine.logout(force=True)  # e.g. `repdesk logout --force` meanwhile
        session.token_refused("Signed out.")

    url, email = (
        (live_world.hub.url, OTHER_EMAIL)
        if who == "another rep"
        else (other_hub.base_url, live_world.ada.email)
    )
    dialog = _sign_in_through(qtbot, app_ctx, url, email)
    with qtbot.waitSignal(session.set_aside_shown) as shown:
        dialog.sign_in_button.click()
    box = shown.args[0]
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert box.parentWidget() is window and box.windowTitle() == "Unsent work set aside"
    text = box.text()
    files = list((rep_store.path.parent / "set-aside").glob("*.json"))
    assert len(files) == 1 and str(files[0]) in text, "where the file is"
    assert json.loads(files[0].read_text(encoding="utf-8"))["count"] == 2
    assert "2 unsent changes" in text and "Call note: 2" in text, "what and how many"
    if who == "another rep":
        assert f"by {live_world.ada.email}" in text and "signed in as someone else" in text
    else:
        assert f"for another hub ({live_world.hub.url})" in text
    assert rep_store.outbox_counts().pending == 0
    grab(box, f"set-aside-{who.replace(' ', '-')}")

    folder = next(b for b in box.buttons() if b.text() == "Open folder")
    folder.click()
    assert opened == [files[0].parent]
