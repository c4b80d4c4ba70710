"""Signing in through the dialog against a real hub on loopback (and a closed port)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import keyring
import pytest
import shiboken6
from keyring.backends import fail
from PySide6.QtCore import QSize, Qt

from repdesk.domain.errors import AuthError, ClientTooOldError, NetworkError, TlsError
from repdesk.gui.signin import SignInDialog, sign_in_error_text
from repdesk.store import settings as registry
from tests.gui.test_offline_flow_support import (
    closed_port_url,
    grab,
    grab_light_and_dark,
)
from tests.support.hub_fixtures import PASSWORD
from tests.support.world import World

EMAIL = "ada@example.test"
"""An address typed where no hub of the World answers."""


def _dialog(qtbot: Any, ctx: Any, **kw: Any) -> SignInDialog:
    dialog = SignInDialog(ctx, **kw)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _fill(dialog: SignInDialog, url: str, email: str, password: str) -> None:
    dialog.hub_edit.setText(url)
    dialog.email_edit.setText(email)
    dialog.password_edit.setText(password)


def test_correct_password_signs_in_and_remembers_hub_and_email(
    qtbot: Any, app_ctx: Any, sync_engine: Any, live_world: World, rep_store: Any
) -> None:
    dialog = _dialog(qtbot, app_ctx)
    assert not dialog.sign_in_button.isEnabled(), "nothing to submit yet"
    _fill(dialog, live_world.hub.url, live_world.ada.email, PASSWORD)
    grab(dialog, "signin-filled")
    with qtbot.waitSignal(dialog.signed_in) as blocker:
        dialog.sign_in_button.click()
        assert dialog.busy, "the dialog shows it is working while the hub answers"
    session = blocker.args[0]
    assert session.rep_email == live_world.ada.email
    assert rep_store.sync_state().session == session
    assert app_ctx.rep_id == live_world.ada.id
    assert app_ctx.settings.get(registry.HUB_URL) == live_world.hub.url
    assert app_ctx.settings.get(registry.LAST_SIGN_IN_EMAIL) == live_world.ada.email
    assert dialog.password_edit.text() == ""
    assert dialog.notice is None, "with a working keyring there is nothing to tell the rep"


def test_wrong_password_shows_a_plain_message_and_stays_open(
    qtbot: Any, app_ctx: Any, sync_engine: Any, live_world: World, rep_store: Any
) -> None:
    dialog = _dialog(qtbot, app_ctx)
    _fill(dialog, live_world.hub.url, live_world.ada.email, "not the password")
    with qtbot.waitSignal(dialog.failed) as blocker:
        dialog.sign_in_button.click()
    assert "did not accept that email and password" in blocker.args[0]
    assert dialog.error_text() == blocker.args[0]
    assert dialog.isVisible()
    assert not dialog.busy
    assert rep_store.sync_state().session is None
    grab(dialog, "signin-wrong-password", QSize(480, 300))


def test_unreachable_hub_says_so(qtbot: Any, app_ctx: Any, sync_engine: Any) -> None:
    dialog = _dialog(qtbot, app_ctx)
    url = closed_port_url()
    _fill(dialog, url, EMAIL, PASSWORD)
    with qtbot.waitSignal(dialog.failed) as blocker:
        dialog.sign_in_button.click()
    assert f"could not reach the hub at {url}" in blocker.args[0]


def test_bad_address_is_explained(qtbot: Any, app_ctx: Any, sync_engine: Any) -> None:
    dialog = _dialog(qtbot, app_ctx)
    _fill(dialog, "http://hub.example.com", EMAIL, PASSWORD)
    with qtbot.waitSignal(dialog.failed) as blocker:
        dialog.sign_in_button.click()
    assert "https://" in blocker.args[0]


def test_no_keyring_message_is_shown_once_per_run(
    qtbot: Any, app_ctx: Any, sync_engine: Any, live_world: World
) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        first = _dialog(qtbot, app_ctx)
        _fill(first, live_world.hub.url, live_world.ada.email, PASSWORD)
        with qtbot.waitSignal(first.signed_in):
            first.sign_in_button.click()
        assert first.notice is not None
        assert "No system keyring" in first.notice.text()

        second = _dialog(qtbot, app_ctx)
        _fill(second, live_world.hub.url, live_world.ada.email, PASSWORD)
        with qtbot.waitSignal(second.signed_in):
            second.sign_in_button.click()
        assert second.notice is None
    finally:
        keyring.set_keyring(previous)


def test_no_keyring_notice_is_not_modal_and_told_once_per_installation(
    qtbot: Any, qapp: Any, app_ctx: Any, sync_engine: Any, live_world: World
) -> None:
    """Issue 7.5: with no keyring the rep signs in at every start, and every start a modal
    box said so again. Now: told once per installation, in a box that blocks nothing, and
    the same words stay readable in Settings."""
    from repdesk.gui.settings_dialog import SettingsDialog
    from repdesk.sync.credentials import NO_KEYRING_MESSAGE

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        first = _dialog(qtbot, app_ctx)
        _fill(first, live_world.hub.url, live_world.ada.email, PASSWORD)
        with qtbot.waitSignal(first.signed_in):
            first.sign_in_button.click()
        notice = first.notice
        assert notice is not None and notice.isVisible()
        assert notice.text() == NO_KEYRING_MESSAGE
        assert notice.windowModality() == Qt.WindowModality.NonModal
        assert not notice.isModal()
        grab(notice, "signin-no-keyring-notice")

        # The next start: a new run of the app (nothing kept in memory), same settings file.
        app_ctx.extras.clear()
        app_ctx.settings = registry.Settings.load(app_ctx.settings.path)
        second = _dialog(qtbot, app_ctx)
        _fill(second, live_world.hub.url, live_world.ada.email, PASSWORD)
        with qtbot.waitSignal(second.signed_in):
            second.sign_in_button.click()
        assert second.notice is None, "told once per installation"

        settings = SettingsDialog(app_ctx)
        qtbot.addWidget(settings)
        settings.show()
        qtbot.waitUntil(lambda: settings.keyring_label.text() == NO_KEYRING_MESSAGE)
        assert settings.keyring_label.isVisible()
        label = settings.keyring_label
        qtbot.waitUntil(lambda: label.height() >= label.heightForWidth(label.width()))
        grab_light_and_dark(settings, "settings-no-keyring")
    finally:
        keyring.set_keyring(previous)


def test_settings_say_nothing_about_a_working_keyring(
    qtbot: Any, app_ctx: Any, sync_engine: Any, live_world: World
) -> None:
    from repdesk.gui.settings_dialog import SettingsDialog

    sync_engine.login(live_world.hub.url, live_world.ada.email, PASSWORD)
    settings = SettingsDialog(app_ctx)
    qtbot.addWidget(settings)
    settings.show()
    qtbot.waitUntil(lambda: app_ctx.ops.idle)
    assert settings.keyring_label.isHidden()


def test_untrusted_certificate_is_explained(
    qtbot: Any, app_ctx: Any, sync_engine: Any, untrusted_tls_server: str
) -> None:
    dialog = _dialog(qtbot, app_ctx)
    _fill(dialog, untrusted_tls_server, EMAIL, PASSWORD)
    with qtbot.waitSignal(dialog.failed) as blocker:
        dialog.sign_in_button.click()
    assert "could not verify the security certificate" in blocker.args[0]
    assert "did not send your password" in blocker.args[0]


def test_hub_needing_a_newer_client_says_to_update(
    qtbot: Any, app_ctx: Any, sync_engine: Any, tmp_path: Path
) -> None:
    from repdesk.hub.config import HubConfig
    from repdesk.hub.embedded import EmbeddedHub

    with EmbeddedHub(HubConfig.resolve(tmp_path / "newer-hub", min_client_version="99.0")) as url:
        dialog = _dialog(qtbot, app_ctx)
        _fill(dialog, url, EMAIL, PASSWORD)
        with qtbot.waitSignal(dialog.failed) as blocker:
            dialog.sign_in_button.click()
    assert "too old for your hub" in blocker.args[0]
    assert "99.0" in blocker.args[0]
    grab(dialog, "signin-too-old", QSize(480, 320))


def test_try_the_demo_emits_a_signal_for_the_app(qtbot: Any, app_ctx: Any) -> None:
    dialog = _dialog(qtbot, app_ctx)
    with qtbot.waitSignal(dialog.demo_requested):
        dialog.demo_button.click()


def test_reason_and_prefilled_values_from_settings(qtbot: Any, app_ctx: Any) -> None:
    app_ctx.settings.set(registry.HUB_URL, "https://hub.example.com")
    app_ctx.settings.set(registry.LAST_SIGN_IN_EMAIL, EMAIL)
    dialog = _dialog(qtbot, app_ctx, reason="Your session with the hub has ended <b>x</b>.")
    assert dialog.hub_edit.text() == "https://hub.example.com"
    assert dialog.email_edit.text() == EMAIL
    assert dialog.reason_label.text().endswith("<b>x</b>.")
    grab(dialog, "signin-again", QSize(480, 300))


def test_each_failure_kind_has_its_own_message() -> None:
    url = "https://hub.example.com"
    texts = {
        sign_in_error_text(exc, url)
        for exc in (
            AuthError("x"),
            NetworkError("x"),
            TlsError("x"),
            ClientTooOldError(""),
        )
    }
    assert len(texts) == 4
    assert any("certificate" in t for t in texts)
    assert any("newer version" in t for t in texts)


def _gated_login(sync_engine: Any, monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """The hub answers only when the test opens the gate (injected: the timing must be exact)."""
    gate = threading.Event()
    real = sync_engine.login

    def slow_login(*args: Any) -> Any:
        gate.wait(60)
        return real(*args)

    monkeypatch.setattr(sync_engine, "login", slow_login)
    return gate


def test_cancel_while_signing_in_wins_over_a_late_success(
    qtbot: Any,
    app_ctx: Any,
    sync_engine: Any,
    live_world: World,
    rep_store: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Injected: the login waits for a gate, so Cancel lands while it is on its way."""
    gate = _gated_login(sync_engine, monkeypatch)
    dialog = _dialog(qtbot, app_ctx)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # as the app opens it again
    _fill(dialog, live_world.hub.url, live_world.ada.email, PASSWORD)
    signed_in: list[object] = []
    dialog.signed_in.connect(signed_in.append)
    dialog.sign_in_button.click()
    assert dialog.busy
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog))
    gate.set()
    qtbot.waitUntil(lambda: app_ctx.ops.idle)
    assert signed_in == []
    assert rep_store.sync_state().session is None, "cancel wins: no session is kept"
    assert not sync_engine.signed_in


def test_a_success_delivered_after_the_cancel_is_signed_out_again(
    qtbot: Any, app_ctx: Any, sync_engine: Any, live_world: World, rep_store: Any
) -> None:
    """The hub answered before the cancel, but the answer reaches the window after it."""
    from repdesk.gui.ops import Lane, QueryOp

    dialog = _dialog(qtbot, app_ctx)
    _fill(dialog, live_world.hub.url, live_world.ada.email, PASSWORD)
    signed_in: list[object] = []
    dialog.signed_in.connect(signed_in.append)
    dialog.sign_in_button.click()
    # The network lane runs in order: once this marker ran, the login has finished there.
    # The test does not run the event loop meanwhile, so its outcome is not delivered yet.
    finished = threading.Event()
    QueryOp(parent=None, op=lambda _c: finished.set()).on_lane(Lane.NETWORK).run_in_background(
        app_ctx.ops
    )
    assert finished.wait(60)
    assert rep_store.sync_state().session is not None, "the hub did sign us in"
    dialog.reject()  # the rep pressed Cancel just then
    qtbot.waitUntil(lambda: app_ctx.ops.idle and rep_store.sync_state().session is None)
    assert signed_in == []
    assert not sync_engine.signed_in
    assert app_ctx.settings.get(registry.HUB_URL) == "", "a cancelled hub is not remembered"
