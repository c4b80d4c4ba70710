"""The sign-in dialog refuses a hub address with a password in it and keeps it nowhere;
Settings keeps the hub's certificate authority file, checked in words (issue 10, defect 6)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from repdesk.gui.settings_dialog import SettingsDialog
from repdesk.gui.signin import SignInDialog
from repdesk.store import settings as registry
from tests.gui.test_offline_flow_support import (  # noqa: F401 - fixtures
    EMAIL,
    PASSWORD,
    app_ctx_fixture,
    engine_fixture,
    local_store_fixture,
)
from tests.support.tls import TlsFiles

SECRET = "s3cret-Pa55"


def test_sign_in_refuses_an_address_with_a_password_and_keeps_it_nowhere(
    qtbot: Any, app_ctx: Any, engine: Any, tmp_path: Path
) -> None:
    dialog = SignInDialog(app_ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.hub_edit.setText(f"https://ada:{SECRET}@hub.example.com")
    dialog.email_edit.setText(EMAIL)
    dialog.password_edit.setText(PASSWORD)
    with qtbot.waitSignal(dialog.failed) as blocker:
        dialog.sign_in_button.click()
    assert blocker.args[0] == registry.CREDENTIALS_IN_URL
    assert not app_ctx.settings.is_set(registry.HUB_URL)
    for file in tmp_path.rglob("*"):
        if file.is_file():
            assert SECRET.encode() not in file.read_bytes(), file


def test_settings_keep_the_hubs_certificate_authority_file(
    qtbot: Any, app_ctx: Any, tmp_path: Path
) -> None:
    dialog = SettingsDialog(app_ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: app_ctx.ops.idle)
    assert dialog.ca_edit.text() == ""
    not_pem = tmp_path / "notes.txt"
    not_pem.write_text("hello\n")
    dialog.ca_edit.setText(str(not_pem))
    dialog.save()
    assert dialog.isVisible()
    assert "not a certificate authority file" in dialog.error_label.text()
    assert not app_ctx.settings.is_set(registry.HUB_CA_FILE)

    ca = TlsFiles.make(tmp_path / "tls")
    dialog.ca_edit.setText(str(ca.ca_pem))
    dialog.save()
    assert not dialog.isVisible()
    assert app_ctx.settings.get(registry.HUB_CA_FILE) == str(ca.ca_pem)
    again = SettingsDialog(app_ctx)
    qtbot.addWidget(again)
    assert again.ca_edit.text() == str(ca.ca_pem)
