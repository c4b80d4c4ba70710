"""The sign-in dialog refuses a hub address with a password in it and keeps it nowhere;
Settings keeps the hub's certificate authority file, checked in words (issue 10, defect 6)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from repdesk.gui.settings_dialog import SettingsDialog
from repdesk.gui.signin import SignInDialog
from repdesk.hub.config import HubConfig
from repdesk.store import settings as registry
from repdesk.sync.collateral import CollateralCache
from repdesk.sync.credentials import Credentials
from repdesk.sync.engine import SyncEngine, client_with_ca
from repdesk.sync.retry import NO_RETRY
from tests.support import hub_rows as seed
from tests.support.hub_fixtures import PASSWORD
from tests.support.tls import TlsFiles, tls_hub

EMAIL = "ada@example.test"

SECRET = "s3cret-Pa55"


def test_sign_in_refuses_an_address_with_a_password_and_keeps_it_nowhere(
    qtbot: Any, app_ctx: Any, sync_engine: Any, tmp_path: Path
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


def test_after_a_certificate_failure_the_rep_can_trust_the_companys_ca(
    qtbot: Any, app_ctx: Any, rep_store: Any, tmp_path: Path
) -> None:
    """First start, a hub with a certificate from the company's CA this computer does not
    trust: the sign-in dialog offers to trust the CA's file, and the next try signs in."""
    company_ca = TlsFiles.make(tmp_path / "tls")
    sync_engine = SyncEngine(
        rep_store,
        Credentials(),
        CollateralCache(tmp_path / "cache"),
        client_with_ca(lambda: app_ctx.settings.get(registry.HUB_CA_FILE)),
        retry=NO_RETRY,
    )
    app_ctx.sync = sync_engine
    with tls_hub(HubConfig.resolve(tmp_path / "hub"), company_ca) as hub:
        seed.add_rep(hub.state.db, EMAIL, PASSWORD, "Ada Lovelace")
        dialog = SignInDialog(app_ctx)
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.hub_edit.setText(hub.base_url)
        dialog.email_edit.setText(EMAIL)
        dialog.password_edit.setText(PASSWORD)
        assert dialog.ca_button.isHidden()
        with qtbot.waitSignal(dialog.failed) as blocker:
            dialog.sign_in_button.click()
        assert "could not verify the security certificate" in blocker.args[0]
        assert not dialog.ca_button.isHidden()

        dialog.ca_button.click()
        assert dialog.ca_dialog is not None
        dialog.ca_dialog.selectFile(str(company_ca.ca_pem))
        dialog.ca_dialog.accept()
        assert app_ctx.settings.get(registry.HUB_CA_FILE) == str(company_ca.ca_pem)
        assert "Sign in again" in dialog.error_text()

        with qtbot.waitSignal(dialog.signed_in, timeout=30_000):
            dialog.sign_in_button.click()
    assert rep_store.sync_state().session is not None
